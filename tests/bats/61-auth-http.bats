#!/usr/bin/env bats
# 61-auth-http.bats: authentication through the real web server of the
# current mode (BERTH_SERVER=lighttpd|apache): Basic auth with curl,
# docker login/push/pull, skopeo and podman credentials, mutual TLS with a
# client certificate, and the plain-HTTP policy seen from outside
#
# The file starts a server of its own (with a TLS listener, a throw-away CA
# and a client certificate CN "berth-client"), so that the runner's open
# registry is left alone, and a private dockerd.  Every request comes from
# 127.0.0.1, the loopback exemption; the TLS path is checked with a second
# server started with allow_loopback_plaintext = false.

# The rules hold a literal "${user}".
# shellcheck disable=SC2016

load helpers
load clients
load lib_auth
load ../lib/servers

# The tests share one dockerd and one docker login state.
# shellcheck disable=SC2034 # read by bats-exec-file
BATS_NO_PARALLELIZE_WITHIN_FILE=true

auth_http_enabled() {
	[ "${BERTH_MODE:-}" = http ] &&
		{ [ "${BERTH_SERVER:-}" = lighttpd ] || [ "${BERTH_SERVER:-}" = apache ]; }
}

# write_server_config DIR [LINE...]: berth.ini, htpasswd and rules in DIR
# for a server of this file; more lines are appended to the INI.
write_server_config() {
	local dir=$1
	shift
	mkdir -p "$dir/store"
	[ -f "$dir/htpasswd" ] || auth_users "$dir/htpasswd" || return 1
	printf '%s\n' \
		'berth-client  berth-client/**  *' \
		'*             ${user}/**       *' \
		'*             team/**          pull' \
		'anonymous     public/**        pull' >"$dir/access.rules"
	{
		printf '[storage]\ndriver = filesystem\npath = %s\n' "$dir/store"
		printf '[log]\nlevel = info\nfile = %s\n' "$dir/berth.log"
		printf '[auth]\nmethod = clientcert, htpasswd\n'
		printf '[htpasswd]\npath = %s\nrealm = berth-http-test\n' "$dir/htpasswd"
		printf '[access]\nrules = %s\n' "$dir/access.rules"
		local l
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$dir/berth.ini"
}

# new_state_dir PARENT: a directory for one server's state.  Apache's
# mod_fcgid variant runs the programs as www-data, which cannot reach the
# private bats directories: it gets a fresh one in /tmp instead (removed by
# stop_auth_server).
new_state_dir() {
	if [ "$BERTH_SERVER" = apache ] && [ "${BERTH_APACHE_VARIANT:-}" = fcgid ] &&
		[ "$(id -u)" = 0 ]; then
		local d
		d=$(mktemp -d "${TMPDIR:-/tmp}/berth-auth.XXXXXX") || return 1
		chmod 0755 "$d"
		printf '%s\n' "$d"
	else
		printf '%s\n' "$1"
	fi
}

# start_auth_server DIR [LINE...]: a server of the current mode with TLS
# on a config from write_server_config; sets SRV_URL, SRV_HOSTPORT,
# SRV_TLS_URL, SRV_CA, SRV_CERT, SRV_KEY, SRV_LOG, SRV_STORE.
start_auth_server() {
	local dir=$1
	shift
	write_server_config "$dir" "$@" || return 1
	case "$dir" in
	*/berth-auth.*)
		# The programs run as www-data (see new_state_dir).
		touch "$dir/berth.log"
		chown -R www-data:www-data "$dir/store" "$dir/htpasswd" "$dir/berth.log" ;;
	esac
	BERTH_TLS=1 "start_$BERTH_SERVER" "$BERTH_BUILDDIR" "$dir/berth.ini" "$dir/server" || return 1
	SRV_URL=$BERTH_URL
	SRV_HOSTPORT=$BERTH_HOSTPORT
	SRV_TLS_URL=$BERTH_TLS_URL
	SRV_CA=$BERTH_TLS_CA
	SRV_CERT=$BERTH_TLS_CLIENT_CERT
	SRV_KEY=$BERTH_TLS_CLIENT_KEY
	SRV_LOG=$dir/berth.log
	SRV_STORE=$dir/store
}

stop_auth_server() {
	"stop_$BERTH_SERVER" "$1/server"
	case "$1" in
	*/berth-auth.*) rm -rf -- "$1" ;;
	esac
}

setup_file() {
	auth_http_enabled || return 0
	require_cmds curl htpasswd openssl dockerd docker skopeo umoci podman jq
	containers_isolate
	AUTH_DIR=$(new_state_dir "$BATS_FILE_TMPDIR/main") || return 1
	export AUTH_DIR
	start_auth_server "$AUTH_DIR" || {
		stop_auth_server "$AUTH_DIR"
		return 1
	}
	export SRV_URL SRV_HOSTPORT SRV_TLS_URL SRV_CA SRV_CERT SRV_KEY SRV_LOG SRV_STORE
	export DK_DIR=$BATS_FILE_TMPDIR/dk
	start_dockerd "$DK_DIR" || {
		stop_auth_server "$AUTH_DIR"
		return 1
	}
	# A tiny image, imported without network or build.
	mkdir -p "$BATS_FILE_TMPDIR/rootfs"
	head -c 4096 /dev/urandom >"$BATS_FILE_TMPDIR/rootfs/payload"
	if ! tar -C "$BATS_FILE_TMPDIR/rootfs" -cf "$BATS_FILE_TMPDIR/rootfs.tar" . ||
		! docker import "$BATS_FILE_TMPDIR/rootfs.tar" berth-auth-test:1 >/dev/null; then
		stop_dockerd "$DK_DIR"
		stop_auth_server "$AUTH_DIR"
		return 1
	fi
}

teardown_file() {
	auth_http_enabled || return 0
	[ -n "${DK_DIR:-}" ] && stop_dockerd "$DK_DIR"
	[ -n "${AUTH_DIR:-}" ] && stop_auth_server "$AUTH_DIR"
	return 0
}

setup() {
	auth_http_enabled || skip "needs BERTH_MODE=http and BERTH_SERVER=lighttpd|apache"
	SECOND=
}

teardown() {
	[ -n "${SECOND:-}" ] && stop_auth_server "$SECOND"
	return 0
}

# req URL [curl options]: one request with curl; sets REG_STATUS,
# REG_HEADERS, REG_BODY and REG_BODY_FILE as reg does.
req() {
	local url=$1 hdr=$BATS_TEST_TMPDIR/hdr.$$
	shift
	REG_BODY_FILE=$BATS_TEST_TMPDIR/body.$$
	: >"$REG_BODY_FILE"
	: >"$hdr"
	curl -sS -g -o "$REG_BODY_FILE" -D "$hdr" -H 'Expect:' "$@" "$url" || true
	_parse_headers "$hdr"
	# No response at all (a refused TLS handshake): status 000, as curl says.
	[ -s "$hdr" ] || REG_STATUS=000
	# shellcheck disable=SC2034 # read by the assert helpers
	REG_BODY=$(cat "$REG_BODY_FILE")
}

# tls_req PATH [curl options]: the same over the TLS listener, trusting the
# test CA.
tls_req() {
	local path=$1
	shift
	req "$SRV_TLS_URL$path" --cacert "$SRV_CA" "$@"
}

# push_file BASEURL REPO [curl options]: a monolithic blob upload of fresh
# random bytes; sets PUSH_DIGEST.  Over HTTP/1.1: when the program refuses
# an upload without reading its body, lighttpd's HTTP/2 sends the whole
# response and then RST_STREAM(NO_ERROR), as RFC 9113 8.1 allows, and curl
# 7.88 then drops the response ("Stream error in the HTTP/2 framing layer").
push_file() {
	local base=$1 repo=$2 f=$BATS_TEST_TMPDIR/blob.$RANDOM
	shift 2
	random_file "$f" 700
	PUSH_DIGEST=$(digest_of "$f")
	req "$base/v2/$repo/blobs/uploads/?digest=$PUSH_DIGEST" -X POST --http1.1 \
		--data-binary "@$f" -H 'Content-Type: application/octet-stream' "$@"
}

# assert_server_log TEXT / refute_server_log TEXT
assert_server_log() {
	grep -qF -- "$1" "$SRV_LOG" ||
		fail "$(printf 'server log lacks %s; last lines:\n%s' "$1" "$(tail -n 20 "$SRV_LOG")")"
}

refute_server_log() {
	if grep -qF -- "$1" "$SRV_LOG"; then
		fail "server log contains $1"
	fi
}

# --------------------------------------------------------- Basic over HTTP

@test "curl -u over plain HTTP to 127.0.0.1 authenticates (loopback exemption)" {
	req "$SRV_URL/v2/" -u "alice:$AUTH_PW_ALICE"
	assert_status 200
	assert_json '. == {}'
	push_file "$SRV_URL" alice/curl -u "alice:$AUTH_PW_ALICE"
	assert_status 201
	req "$SRV_URL/v2/alice/curl/blobs/$PUSH_DIGEST" -u "alice:$AUTH_PW_ALICE"
	assert_status 200
	assert_server_log 'path=/v2/ status=200'
	grep -q 'status=201 .*user=alice' "$SRV_LOG"
	refute_server_log "$AUTH_PW_ALICE"
	refute_server_log "$(printf 'alice:%s' "$AUTH_PW_ALICE" | base64 -w0)"
}

@test "without credentials the server answers 401 with the Basic challenge; a wrong password too" {
	req "$SRV_URL/v2/"
	assert_error 401 UNAUTHORIZED
	assert_header WWW-Authenticate '^Basic realm="berth-http-test"$'
	req "$SRV_URL/v2/" -u 'alice:wrong'
	assert_error 401 UNAUTHORIZED
	assert_header WWW-Authenticate '^Basic realm="berth-http-test"$'
	req "$SRV_URL/v2/" -u "mallory:$AUTH_PW_ALICE"
	assert_error 401 UNAUTHORIZED
	push_file "$SRV_URL" alice/nocreds
	assert_error 401 UNAUTHORIZED
	assert [ ! -e "$SRV_STORE/repositories/alice/nocreds" ]
}

@test "the running server picks up htpasswd changes without a restart" {
	cp "$AUTH_DIR/htpasswd" "$BATS_TEST_TMPDIR/htpasswd.orig"
	req "$SRV_URL/v2/" -u 'frank:Frank-pw-1'
	assert_status 401
	htpasswd -bB "$AUTH_DIR/htpasswd" frank Frank-pw-1 2>/dev/null
	# Several program processes serve /v2/: every one must see it.
	for _ in 1 2 3 4 5 6; do
		req "$SRV_URL/v2/" -u 'frank:Frank-pw-1'
		assert_status 200
	done
	htpasswd -D "$AUTH_DIR/htpasswd" frank 2>/dev/null
	for _ in 1 2 3 4 5 6; do
		req "$SRV_URL/v2/" -u 'frank:Frank-pw-1'
		assert_status 401
	done
	cp "$BATS_TEST_TMPDIR/htpasswd.orig" "$AUTH_DIR/htpasswd"
}

@test "request headers posing as server variables (Remote-User, SSL-Client-*) do not authenticate" {
	req "$SRV_URL/v2/" -H 'Remote-User: alice'
	assert_error 401 UNAUTHORIZED
	req "$SRV_URL/v2/" -H 'SSL-Client-Verify: SUCCESS' -H 'SSL-Client-S-DN-CN: berth-client' -H 'HTTPS: on'
	assert_error 401 UNAUTHORIZED
	tls_req /v2/ -H 'SSL-Client-Verify: SUCCESS' -H 'SSL-Client-S-DN-CN: berth-client'
	assert_error 401 UNAUTHORIZED
	push_file "$SRV_URL" berth-client/spoof -H 'SSL-Client-Verify: SUCCESS' -H 'SSL-Client-S-DN-CN: berth-client'
	assert_error 401 UNAUTHORIZED
	assert [ ! -e "$SRV_STORE/repositories/berth-client/spoof" ]
}

# -------------------------------------------------------------- real clients

@test "docker push before docker login fails with \"no basic auth credentials\"" {
	docker tag berth-auth-test:1 "$SRV_HOSTPORT/alice/docker-nologin:1"
	run docker push "$SRV_HOSTPORT/alice/docker-nologin:1"
	docker rmi "$SRV_HOSTPORT/alice/docker-nologin:1" >/dev/null
	assert_failure
	assert_output --partial 'no basic auth credentials'
	assert [ ! -e "$SRV_STORE/repositories/alice/docker-nologin/_manifests" ]
}

@test "docker login with a wrong password fails with 401" {
	run docker login -u alice --password-stdin "$SRV_HOSTPORT" <<<'not-the-password'
	assert_failure
	assert_output --partial '401 Unauthorized'
}

@test "docker login, then docker push and pull with htpasswd credentials" {
	run docker login -u alice --password-stdin "$SRV_HOSTPORT" <<<"$AUTH_PW_ALICE"
	assert_success
	assert_output --partial 'Login Succeeded'
	local img=$SRV_HOSTPORT/alice/docker:1
	docker tag berth-auth-test:1 "$img"
	run docker push "$img"
	assert_success
	local pushed
	pushed=$(grep -Eo 'digest: sha256:[0-9a-f]{64}' <<<"$output")
	pushed=${pushed#digest: }
	[ -n "$pushed" ] || fail "no digest in push output: $output"
	docker rmi "$img" >/dev/null
	run docker pull "$img"
	assert_success
	assert_output --partial "$pushed"
	# Somebody else's namespace stays closed to alice.
	docker tag berth-auth-test:1 "$SRV_HOSTPORT/bob/docker:1"
	run docker push "$SRV_HOSTPORT/bob/docker:1"
	assert_failure
	assert_output --regexp 'denied|DENIED'
	docker rmi "$img" "$SRV_HOSTPORT/bob/docker:1" >/dev/null
	docker logout "$SRV_HOSTPORT" >/dev/null
	grep -q 'method=PUT path=/v2/alice/docker/manifests/1 status=201 .*user=alice' "$SRV_LOG"
	assert [ ! -e "$SRV_STORE/repositories/bob" ]
	refute_server_log "$AUTH_PW_ALICE"
	# After logout, pulling alice's image is refused again.
	run docker pull "$img"
	assert_failure
}

@test "skopeo copy --dest-creds and skopeo list-tags --creds" {
	local oci=$BATS_TEST_TMPDIR/oci
	oci_build "$oci" v1 1 >/dev/null
	run skopeo copy --quiet --dest-tls-verify=false \
		"oci:$oci:v1" "docker://$SRV_HOSTPORT/alice/skopeo:v1"
	assert_failure
	run skopeo copy --quiet --dest-tls-verify=false --dest-creds "alice:$AUTH_PW_ALICE" \
		"oci:$oci:v1" "docker://$SRV_HOSTPORT/alice/skopeo:v1"
	assert_success
	run skopeo list-tags --tls-verify=false --creds "alice:$AUTH_PW_ALICE" \
		"docker://$SRV_HOSTPORT/alice/skopeo"
	assert_success
	run jq -c .Tags <<<"$output"
	assert_output '["v1"]'
	run skopeo list-tags --tls-verify=false --creds "bob:$AUTH_PW_BOB" \
		"docker://$SRV_HOSTPORT/alice/skopeo"
	assert_failure
	run skopeo list-tags --tls-verify=false --creds "alice:wrong" \
		"docker://$SRV_HOSTPORT/alice/skopeo"
	assert_failure
	grep -q 'path=/v2/alice/skopeo/tags/list status=200 .*user=alice' "$SRV_LOG"
}

@test "podman login --tls-verify=false accepts the right password and refuses a wrong one" {
	local d=$BATS_TEST_TMPDIR/podman
	mkdir -p "$d"
	run podman_in "$d" login --tls-verify=false --authfile "$d/auth.json" \
		-u alice -p "$AUTH_PW_ALICE" "$SRV_HOSTPORT"
	assert_success
	assert_output --partial 'Login Succeeded'
	run jq -e --arg h "$SRV_HOSTPORT" '.auths[$h].auth' "$d/auth.json"
	assert_success
	run podman_in "$d" login --tls-verify=false --authfile "$d/auth2.json" \
		-u alice -p wrong "$SRV_HOSTPORT"
	assert_failure
	assert_output --regexp '401|nauthorized|invalid username/password'
}

# ---------------------------------------------------------------------- TLS

@test "mutual TLS: the client certificate's CN is the user (user=berth-client in the log)" {
	tls_req /v2/ --cert "$SRV_CERT" --key "$SRV_KEY"
	assert_status 200
	push_file "$SRV_TLS_URL" berth-client/tls --cacert "$SRV_CA" --cert "$SRV_CERT" --key "$SRV_KEY"
	assert_status 201
	tls_req "/v2/berth-client/tls/blobs/$PUSH_DIGEST" --cert "$SRV_CERT" --key "$SRV_KEY"
	assert_status 200
	push_file "$SRV_TLS_URL" alice/by-cert --cacert "$SRV_CA" --cert "$SRV_CERT" --key "$SRV_KEY"
	assert_error 403 DENIED
	grep -q 'status=201 .*repository=berth-client/tls .*user=berth-client' "$SRV_LOG" ||
		fail "no user=berth-client line: $(tail -n 5 "$SRV_LOG")"
}

@test "TLS without a client certificate is anonymous: 401 with the challenge, public pulls only" {
	tls_req /v2/
	assert_error 401 UNAUTHORIZED
	assert_header WWW-Authenticate '^Basic realm="berth-http-test"$'
	push_file "$SRV_TLS_URL" berth-client/nocert --cacert "$SRV_CA"
	assert_error 401 UNAUTHORIZED
	assert [ ! -e "$SRV_STORE/repositories/berth-client/nocert" ]
	tls_req /v2/public/none/tags/list
	assert_error 404 NAME_UNKNOWN
}

@test "Basic auth over HTTPS works, and a certificate the CA did not sign is refused or anonymous" {
	tls_req /v2/ -u "alice:$AUTH_PW_ALICE"
	assert_status 200
	# A self-signed client certificate with the same CN.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-days 1 -subj /CN=berth-client -keyout "$BATS_TEST_TMPDIR/rogue.key" \
		-out "$BATS_TEST_TMPDIR/rogue.crt" 2>/dev/null
	tls_req /v2/ --cert "$BATS_TEST_TMPDIR/rogue.crt" --key "$BATS_TEST_TMPDIR/rogue.key"
	# The server drops the handshake (000) or serves it as anonymous.
	assert_status_in 000 401
	refute [ "$REG_STATUS" = 200 ]
}

@test "allow_loopback_plaintext = false: credentials over plain HTTP are refused, over HTTPS accepted" {
	SECOND=$(new_state_dir "$BATS_TEST_TMPDIR/strict")
	start_auth_server "$SECOND" '[http]' 'allow_loopback_plaintext = false'
	req "$SRV_URL/v2/" -u "alice:$AUTH_PW_ALICE"
	assert_error 401 UNAUTHORIZED
	assert_json '.errors[0].detail | test("TLS")'
	assert_header WWW-Authenticate '^Basic realm="berth-http-test"$'
	tls_req /v2/ -u "alice:$AUTH_PW_ALICE"
	assert_status 200
	push_file "$SRV_TLS_URL" alice/strict --cacert "$SRV_CA" -u "alice:$AUTH_PW_ALICE"
	assert_status 201
	tls_req /v2/ --cert "$SRV_CERT" --key "$SRV_KEY"
	assert_status 200
	grep -q 'repository=alice/strict .*user=alice' "$SRV_LOG"
	# Anonymous pulls over plain HTTP need no credentials and still work.
	req "$SRV_URL/v2/public/none/tags/list"
	assert_error 404 NAME_UNKNOWN
}
