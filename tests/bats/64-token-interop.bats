#!/usr/bin/env bats
# 64-token-interop.bats: token authentication with real clients and a real
# peer, through the web server of the current mode (BERTH_SERVER=lighttpd|
# apache):
#   (a) berth-token's tokens verified by the reference registry
#       (distribution 2.8, Debian's docker-registry) configured with berth's
#       certificate as its rootcertbundle: docker login, push and pull;
#   (b) docker login, push and pull against berth itself in token mode, with
#       berth-token on /auth/token of the same server;
#   (c) skopeo --creds against berth in token mode.
#
# The file starts a server of its own (token mode, ES256: distribution 2.8
# has no EdDSA), the reference registry and a private dockerd, and stops
# them by PID at the end.  berth's realm comes from the Host header
# ([token] autoredirect), the reference registry's from its config.
#
# modes: lighttpd apache

load helpers
load clients
load lib_auth
load lib_token
load ../lib/servers

# The tests share one dockerd and its login state.
# shellcheck disable=SC2034 # read by bats-exec-file
BATS_NO_PARALLELIZE_WITHIN_FILE=true

IOP_SERVICE=berth-interop.test
IOP_ISSUER=berth-interop-issuer

interop_enabled() {
	[ "${BERTH_MODE:-}" = http ] &&
		{ [ "${BERTH_SERVER:-}" = lighttpd ] || [ "${BERTH_SERVER:-}" = apache ]; }
}

# write_berth DIR: keys, htpasswd, rules and berth.ini for token mode.
write_berth() {
	local dir=$1
	mkdir -p "$dir/store" "$dir/keys"
	"$BERTH_BUILDDIR/berthctl/berthctl" keygen --alg ES256 --out "$dir/keys" >/dev/null || return 1
	auth_users "$dir/htpasswd" || return 1
	printf '%s\n' \
		'admin      **          *' \
		'*          ${user}/**  *' \
		'*          team/**     pull' \
		'anonymous  public/**   pull' >"$dir/access.rules"
	# The programs may run as another user (Apache's www-data): they need
	# to read these, and berth-token the key.
	if [ "$(id -u)" = 0 ] && [ "$BERTH_SERVER" = apache ]; then
		chown -R www-data "$dir/store" "$dir/keys" "$dir/htpasswd" "$dir/access.rules"
	fi
	cat >"$dir/berth.ini" <<EOF
[storage]
path = $dir/store
[registry]
delete = true
[log]
level = info
file = $dir/berth.log
[auth]
method = token
[htpasswd]
path = $dir/htpasswd
[token]
autoredirect = true
service = $IOP_SERVICE
issuer = $IOP_ISSUER
keys = $dir/keys/cert.pem
algorithms = ES256
[issuer]
method = htpasswd
algorithm = ES256
key = $dir/keys/key.pem
certificate = $dir/keys/cert.pem
issuer = $IOP_ISSUER
service = $IOP_SERVICE
expiration = 300
offline_token = true
[access]
rules = $dir/access.rules
EOF
	if [ "$(id -u)" = 0 ] && [ "$BERTH_SERVER" = apache ]; then
		: >"$dir/berth.log"
		chown www-data "$dir/berth.log" "$dir"
	fi
}

# start_reference DIR REALM: distribution 2.8 on a free port trusting
# berth's certificate; sets REF_HOSTPORT and REF_PID.
start_reference() {
	local dir=$1 realm=$2 port
	mkdir -p "$dir/data"
	for _ in 1 2 3 4 5; do
		port=$(berth_free_port) || return 1
		cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: berth-interop-secret
auth:
  token:
    realm: $realm
    service: $IOP_SERVICE
    issuer: $IOP_ISSUER
    rootcertbundle: $AUTH_DIR/keys/cert.pem
EOF
		# distribution reads REGISTRY_* variables as config overrides, and
		# containers_isolate exports REGISTRY_AUTH_FILE for skopeo.
		env -u REGISTRY_AUTH_FILE docker-registry serve "$dir/config.yml" \
			</dev/null >"$dir/log" 2>&1 3>&- &
		REF_PID=$!
		echo "$REF_PID" >"$dir/pid"
		if _srv_wait docker-registry "$REF_PID" "http://127.0.0.1:$port/v2/"; then
			REF_HOSTPORT=127.0.0.1:$port
			return 0
		fi
		_srv_kill "$REF_PID" 5
		grep -q 'address already in use' "$dir/log" || break
	done
	cat "$dir/log" >&2
	return 1
}

stop_reference() {
	local dir=$1
	[ -f "$dir/pid" ] || return 0
	_srv_kill "$(cat "$dir/pid")" 10
	rm -f "$dir/pid"
}

setup_file() {
	interop_enabled || return 0
	require_cmds curl htpasswd openssl dockerd docker docker-registry skopeo umoci jq
	containers_isolate
	export AUTH_DIR=$BATS_FILE_TMPDIR/berth REF_DIR=$BATS_FILE_TMPDIR/ref DK_DIR=$BATS_FILE_TMPDIR/dk
	write_berth "$AUTH_DIR" || return 1
	"start_$BERTH_SERVER" "$BERTH_BUILDDIR" "$AUTH_DIR/berth.ini" "$AUTH_DIR/server" || {
		"stop_$BERTH_SERVER" "$AUTH_DIR/server"
		return 1
	}
	export SRV_URL=$BERTH_URL SRV_HOSTPORT=$BERTH_HOSTPORT SRV_LOG=$AUTH_DIR/berth.log
	export SRV_STORE=$AUTH_DIR/store
	start_reference "$REF_DIR" "$SRV_URL/auth/token" || {
		"stop_$BERTH_SERVER" "$AUTH_DIR/server"
		return 1
	}
	export REF_HOSTPORT
	start_dockerd "$DK_DIR" || {
		stop_reference "$REF_DIR"
		"stop_$BERTH_SERVER" "$AUTH_DIR/server"
		return 1
	}
	mkdir -p "$BATS_FILE_TMPDIR/rootfs"
	head -c 4096 /dev/urandom >"$BATS_FILE_TMPDIR/rootfs/payload"
	tar -C "$BATS_FILE_TMPDIR/rootfs" -cf "$BATS_FILE_TMPDIR/rootfs.tar" . &&
		docker import "$BATS_FILE_TMPDIR/rootfs.tar" berth-interop-test:1 >/dev/null || {
		stop_dockerd "$DK_DIR"
		stop_reference "$REF_DIR"
		"stop_$BERTH_SERVER" "$AUTH_DIR/server"
		return 1
	}
}

teardown_file() {
	interop_enabled || return 0
	[ -n "${DK_DIR:-}" ] && stop_dockerd "$DK_DIR"
	[ -n "${REF_DIR:-}" ] && stop_reference "$REF_DIR"
	[ -n "${AUTH_DIR:-}" ] && "stop_$BERTH_SERVER" "$AUTH_DIR/server"
	return 0
}

setup() {
	interop_enabled || skip "needs BERTH_MODE=http and BERTH_SERVER=lighttpd|apache"
	# shellcheck disable=SC2034 # read by the helpers
	BERTH_STORE=$SRV_STORE
}

teardown() {
	if interop_enabled && [ -n "${DOCKER_HOST:-}" ]; then
		docker logout "$SRV_HOSTPORT" >/dev/null 2>&1
		docker logout "$REF_HOSTPORT" >/dev/null 2>&1
	fi
	return 0
}

# req URL [curl options]: one request with curl (REG_* as reg sets them).
# shellcheck disable=SC2034 # REG_* are read by the assertions
req() {
	local url=$1 hdr=$BATS_TEST_TMPDIR/hdr.$$
	shift
	REG_BODY_FILE=$BATS_TEST_TMPDIR/body.$$
	: >"$REG_BODY_FILE"
	: >"$hdr"
	curl -sS -g -o "$REG_BODY_FILE" -D "$hdr" -H 'Expect:' "$@" "$url" || true
	_parse_headers "$hdr"
	[ -s "$hdr" ] || REG_STATUS=000
	REG_BODY=$(cat "$REG_BODY_FILE")
}

# refute_server_log TEXT: berth's log does not contain TEXT.
refute_server_log() {
	if grep -qF -- "$1" "$SRV_LOG"; then
		fail "berth's log contains a secret"
	fi
}

# pushed_digest: the digest "docker push" printed ($output).
pushed_digest() {
	local d
	d=$(grep -Eo 'digest: sha256:[0-9a-f]{64}' <<<"$output" | tail -n 1)
	printf '%s' "${d#digest: }"
}

# docker_push_pull IMAGE: push, remove, pull again; the same digest.
docker_push_pull() {
	local img=$1 pushed
	docker tag berth-interop-test:1 "$img"
	run docker push "$img"
	assert_success
	pushed=$(pushed_digest)
	[ -n "$pushed" ] || fail "no digest in push output: $output"
	docker rmi "$img" >/dev/null
	run docker pull "$img"
	assert_success
	assert_output --partial "$pushed"
	PUSHED=$pushed
}

# ----------------------------------------------------- berth-token over HTTP

@test "through $BERTH_SERVER: the challenge's realm comes from Host, and /auth/token answers with a token" {
	req "$SRV_URL/v2/alice/app/tags/list"
	assert_error 401 UNAUTHORIZED
	assert_equal "$(header WWW-Authenticate)" \
		"Bearer realm=\"$SRV_URL/auth/token\",service=\"$IOP_SERVICE\",scope=\"repository:alice/app:pull\""
	req "$SRV_URL/auth/token?service=$IOP_SERVICE&scope=repository:alice/app:pull,push" \
		-u "alice:$AUTH_PW_ALICE"
	assert_status 200
	assert_json '.token == .access_token and .expires_in >= 60'
	local t
	t=$(jq -r .token "$REG_BODY_FILE")
	run tok_verify_openssl "$t" "$AUTH_DIR/keys/cert.pem" ES256
	assert_success
	req "$SRV_URL/v2/alice/app/tags/list" -H "$(bearer "$t")"
	assert_error 404 NAME_UNKNOWN
	req "$SRV_URL/auth/token?service=$IOP_SERVICE" -u 'alice:wrong'
	assert_error 401 UNAUTHORIZED
	req "$SRV_URL/auth/jwks"
	assert_status 200
	assert_json ".keys[0].kid == \"$(tok_thumbprint "$AUTH_DIR/keys/cert.pem")\" and .keys[0].crv == \"P-256\""
	refute_server_log "$AUTH_PW_ALICE"
	refute_server_log "$t"
}

@test "through $BERTH_SERVER: POST /auth/token (password, refresh_token, unsupported grant) as containerd sends it" {
	req "$SRV_URL/auth/token" -X POST \
		--data-urlencode grant_type=password --data-urlencode username=alice \
		--data-urlencode "password=$AUTH_PW_ALICE" --data-urlencode "service=$IOP_SERVICE" \
		--data-urlencode client_id=containerd-client --data-urlencode access_type=offline \
		--data-urlencode 'scope=repository:alice/app:pull repository:team/app:pull,push'
	assert_status 200
	assert_json '.access_token and .refresh_token'
	TOKEN=$(jq -r .access_token "$REG_BODY_FILE")
	local refresh
	refresh=$(jq -r .refresh_token "$REG_BODY_FILE")
	tok_part "$TOKEN" 1 | jq -e '.access | map({(.name): .actions}) | add == {"alice/app":["pull"],"team/app":["pull"]}' >/dev/null ||
		fail "claims: $(tok_part "$TOKEN" 1)"
	req "$SRV_URL/auth/token" -X POST \
		--data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$refresh" \
		--data-urlencode "service=$IOP_SERVICE" --data-urlencode client_id=containerd-client \
		--data-urlencode 'scope=repository:alice/app:pull,push'
	assert_status 200
	req "$SRV_URL/auth/token" -X POST --data-urlencode grant_type=client_credentials \
		--data-urlencode "service=$IOP_SERVICE" --data-urlencode client_id=containerd-client
	assert_status 404
	req "$SRV_URL/v2/" -H "$(bearer "$refresh")"
	assert_error 401 UNAUTHORIZED
}

# --------------------------------------------- (b) docker against berth itself

@test "docker login to berth in token mode succeeds; a wrong password fails" {
	run docker login -u alice --password-stdin "$SRV_HOSTPORT" <<<'not-the-password'
	assert_failure
	assert_output --regexp '401|[Uu]nauthorized|incorrect'
	run docker login -u alice --password-stdin "$SRV_HOSTPORT" <<<"$AUTH_PW_ALICE"
	assert_success
	assert_output --partial 'Login Succeeded'
	# [issuer] offline_token = true: docker keeps a refresh token, not the
	# password.
	jq -e --arg h "$SRV_HOSTPORT" '.auths[$h].identitytoken | length > 0' \
		"$DOCKER_CONFIG/config.json" >/dev/null ||
		fail "no identity token stored: $(cat "$DOCKER_CONFIG/config.json")"
}

@test "docker push and pull against berth with berth-token's tokens through $BERTH_SERVER" {
	run docker login -u alice --password-stdin "$SRV_HOSTPORT" <<<"$AUTH_PW_ALICE"
	assert_success
	local posts
	posts=$(grep -c 'method=POST path=/auth/token status=200 .*user=alice' "$SRV_LOG" || true)
	docker_push_pull "$SRV_HOSTPORT/alice/docker:1"
	# With the refresh token docker asked for its tokens by POST.
	[ "$(grep -c 'method=POST path=/auth/token status=200 .*user=alice' "$SRV_LOG")" -gt "$posts" ] ||
		fail "docker did not use POST /auth/token with its refresh token"
	grep -q 'method=PUT path=/v2/alice/docker/manifests/1 status=201 .*user=alice' "$SRV_LOG" ||
		fail "no authenticated manifest PUT in the log"
	req "$SRV_URL/auth/token?service=$IOP_SERVICE&scope=repository:alice/docker:pull" \
		-u "alice:$AUTH_PW_ALICE"
	req "$SRV_URL/v2/alice/docker/manifests/1" -H "$(bearer "$(jq -r .token "$REG_BODY_FILE")")" \
		-H "Accept: $MT_ACCEPT_ALL"
	assert_status 200
	assert_equal "$(header Docker-Content-Digest)" "$PUSHED"
	refute_server_log "$AUTH_PW_ALICE"
	docker rmi "$SRV_HOSTPORT/alice/docker:1" >/dev/null
}

@test "docker push to a repository the rules do not give alice is refused and stores nothing" {
	run docker login -u alice --password-stdin "$SRV_HOSTPORT" <<<"$AUTH_PW_ALICE"
	assert_success
	docker tag berth-interop-test:1 "$SRV_HOSTPORT/bob/docker:1"
	run docker push "$SRV_HOSTPORT/bob/docker:1"
	docker rmi "$SRV_HOSTPORT/bob/docker:1" >/dev/null
	assert_failure
	assert_output --regexp 'denied|unauthorized|insufficient_scope|authentication required'
	assert [ ! -e "$SRV_STORE/repositories/bob" ]
	# team/** is pull-only for her.
	docker tag berth-interop-test:1 "$SRV_HOSTPORT/team/docker:1"
	run docker push "$SRV_HOSTPORT/team/docker:1"
	docker rmi "$SRV_HOSTPORT/team/docker:1" >/dev/null
	assert_failure
	assert [ ! -e "$SRV_STORE/repositories/team/docker/_manifests" ]
}

@test "anonymous docker pull of public/** works with an anonymous token; pushing there does not" {
	run docker login -u admin --password-stdin "$SRV_HOSTPORT" <<<"$AUTH_PW_ADMIN"
	assert_success
	local img=$SRV_HOSTPORT/public/docker:1 pushed
	docker tag berth-interop-test:1 "$img"
	run docker push "$img"
	assert_success
	pushed=$(pushed_digest)
	docker logout "$SRV_HOSTPORT" >/dev/null
	docker rmi "$img" >/dev/null
	run docker pull "$img"
	assert_success
	assert_output --partial "$pushed"
	docker tag berth-interop-test:1 "$SRV_HOSTPORT/public/docker:anon"
	run docker push "$SRV_HOSTPORT/public/docker:anon"
	assert_failure
	docker rmi "$img" "$SRV_HOSTPORT/public/docker:anon" >/dev/null
	assert [ ! -e "$SRV_STORE/repositories/public/docker/_manifests/tags/anon" ]
}

# ---------------------------------------------------------- (c) skopeo --creds

@test "skopeo --creds copies to and from berth in token mode; wrong credentials fail" {
	local oci=$BATS_TEST_TMPDIR/oci ref=docker://$SRV_HOSTPORT/alice/skopeo:1
	oci_build "$oci" v1 1
	run skcopy "oci:$oci:v1" "$ref" --dest-creds "alice:wrong"
	assert_failure
	assert [ ! -e "$SRV_STORE/repositories/alice/skopeo" ]
	run skcopy "oci:$oci:v1" "$ref" --dest-creds "alice:$AUTH_PW_ALICE"
	assert_success
	run skopeo list-tags --tls-verify=false --creds "alice:$AUTH_PW_ALICE" \
		"docker://$SRV_HOSTPORT/alice/skopeo"
	assert_success
	assert_equal "$(jq -c .Tags <<<"$output")" '["1"]'
	run skopeo inspect --raw --tls-verify=false --creds "bob:$AUTH_PW_BOB" "$ref"
	assert_failure
	run skcopy "$ref" "oci:$BATS_TEST_TMPDIR/back:v1" --src-creds "alice:$AUTH_PW_ALICE"
	assert_success
	assert_equal "$(oci_ref_digest "$BATS_TEST_TMPDIR/back" v1)" "$(oci_ref_digest "$oci" v1)"
	# Without credentials there is no token for alice's repository.
	run skopeo inspect --raw --tls-verify=false --no-creds "$ref"
	assert_failure
	refute_server_log "$AUTH_PW_ALICE"
}

# ------------------------------------ (a) the reference registry trusts berth

@test "the reference registry (distribution 2.8) challenges with berth-token's realm" {
	req "http://$REF_HOSTPORT/v2/"
	assert_status 401
	assert_header WWW-Authenticate "^Bearer realm=\"$SRV_URL/auth/token\",service=\"$IOP_SERVICE\""
}

@test "docker login to the reference registry with a user of berth's htpasswd" {
	run docker login -u alice --password-stdin "$REF_HOSTPORT" <<<'not-the-password'
	assert_failure
	run docker login -u alice --password-stdin "$REF_HOSTPORT" <<<"$AUTH_PW_ALICE"
	assert_success
	assert_output --partial 'Login Succeeded'
	grep -q 'event=token_issued user=alice' "$SRV_LOG" || fail "berth-token issued nothing"
}

@test "docker push and pull through the reference registry with berth-token's tokens" {
	run docker login -u alice --password-stdin "$REF_HOSTPORT" <<<"$AUTH_PW_ALICE"
	assert_success
	docker_push_pull "$REF_HOSTPORT/alice/ref:1"
	[ -d "$REF_DIR/data/docker/registry/v2/repositories/alice/ref" ] ||
		fail "nothing stored in the reference registry"
	# berth's rules decide there too: bob's namespace is closed to alice.
	docker tag berth-interop-test:1 "$REF_HOSTPORT/bob/ref:1"
	run docker push "$REF_HOSTPORT/bob/ref:1"
	docker rmi "$REF_HOSTPORT/alice/ref:1" "$REF_HOSTPORT/bob/ref:1" >/dev/null
	assert_failure
	[ ! -d "$REF_DIR/data/docker/registry/v2/repositories/bob/ref/_manifests" ] ||
		fail "bob/ref was stored"
}

@test "a token from berth-token works with curl on the reference registry, a forged one does not" {
	req "$SRV_URL/auth/token?service=$IOP_SERVICE&scope=repository:alice/curl:pull" \
		-u "alice:$AUTH_PW_ALICE"
	assert_status 200
	local t
	t=$(jq -r .token "$REG_BODY_FILE")
	req "http://$REF_HOSTPORT/v2/alice/curl/tags/list" -H "$(bearer "$t")"
	assert_status 404
	assert_json '.errors[0].code == "NAME_UNKNOWN"'
	# Signed by a key with a certificate the reference does not trust.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj /CN=forger -days 2 -keyout "$BATS_TEST_TMPDIR/evil.key" \
		-out "$BATS_TEST_TMPDIR/evil.crt" 2>/dev/null
	local x5c forged
	x5c=$(openssl x509 -in "$BATS_TEST_TMPDIR/evil.crt" -outform DER | base64 -w0)
	# shellcheck disable=SC2034 # read by tok_claims
	local TOK_ISS=$IOP_ISSUER TOK_SERVICE=$IOP_SERVICE
	forged=$(tok_sign ES256 "$BATS_TEST_TMPDIR/evil.key" "{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[\"$x5c\"]}" \
		"$(tok_claims -g repository:alice/curl:pull)")
	req "http://$REF_HOSTPORT/v2/alice/curl/tags/list" -H "$(bearer "$forged")"
	assert_status 401
	req "$SRV_URL/v2/alice/curl/tags/list" -H "$(bearer "$forged")"
	assert_error 401 UNAUTHORIZED
	# The same claims signed by openssl with berth's key pass both.
	local good
	good=$(tok_sign ES256 "$AUTH_DIR/keys/key.pem" \
		"{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[\"$(openssl x509 -in "$AUTH_DIR/keys/cert.pem" -outform DER | base64 -w0)\"]}" \
		"$(tok_claims -g repository:alice/curl:pull)")
	req "http://$REF_HOSTPORT/v2/alice/curl/tags/list" -H "$(bearer "$good")"
	assert_status 404
	req "$SRV_URL/v2/alice/curl/tags/list" -H "$(bearer "$good")"
	assert_status 404
}
