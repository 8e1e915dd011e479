#!/usr/bin/env bats
# 70-htaccess.bats: shared hosting.  An Apache that serves an account's
# directories with "AllowOverride All" and nothing berth-specific runs the
# registry through contrib/htaccess alone, once with mod_fcgid and once with
# plain CGI (mod_cgi); skopeo and docker push and pull, and docker logs in
# with [auth] method = htpasswd.  Every step of the account's, and Apache
# itself, runs as an unprivileged user.
#
# Started as root, the test makes that user (useradd) and removes it at the
# end; otherwise it uses the current account.  dockerd, the client side,
# needs root.  It starts its own Apache (not the runner's server), so it
# needs to run only once per suite; tests/run reads this:
# modes: apache

load helpers
load clients
load ../lib/servers

# The tests share two Apache instances and one dockerd.
# shellcheck disable=SC2034 # read by bats-exec-file
BATS_NO_PARALLELIZE_WITHIN_FILE=true

HT_MODES="fcgid cgi"
HT_PASSWORD=s3cret-passw0rd

# as_user CMD...: run CMD as the account, in a clean login-like environment.
as_user() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$HT_USER" -- env -i HOME="$HT_HOME" USER="$HT_USER" \
			LOGNAME="$HT_USER" PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
			LANG=C.UTF-8 sh -c 'cd && exec "$@"' sh "$@"
	else
		(cd "$HT_HOME" && HOME=$HT_HOME exec "$@")
	fi
}

# ht_apache_conf MODE OPEN_PORT AUTH_PORT: print the host's configuration,
# as a hosting provider might write it: two name-less virtual hosts whose
# document roots are the account's directories, AllowOverride All, no
# ExecCGI, no word of berth.  The mod_fcgid host raised FcgidMaxRequestLen,
# as contrib/htaccess/README asks.
ht_apache_conf() {
	local mode=$1 p1=$2 p2=$3 m=$BERTH_APACHE_MODULES srv=$HT_HOME/httpd-$1
	local mod
	{
		printf 'ServerRoot "%s"\n' "$srv"
		printf 'ServerName 127.0.0.1\n'
		printf 'PidFile "%s/run/httpd.pid"\n' "$srv"
		printf 'DefaultRuntimeDir "%s/run"\n' "$srv"
		printf 'ErrorLog "%s/logs/error.log"\n' "$srv"
		printf 'LogLevel warn\n'
		if [ "$mode" = fcgid ]; then
			printf 'LoadModule mpm_event_module "%s/mod_mpm_event.so"\n' "$m"
			printf 'StartServers 1\nThreadsPerChild 25\nMaxRequestWorkers 50\n'
		else
			printf 'LoadModule mpm_prefork_module "%s/mod_mpm_prefork.so"\n' "$m"
			printf 'StartServers 2\nMaxRequestWorkers 20\n'
		fi
		for mod in authz_core mime env rewrite; do
			printf 'LoadModule %s_module "%s/mod_%s.so"\n' "$mod" "$m" "$mod"
		done
		if [ "$mode" = fcgid ]; then
			printf 'LoadModule fcgid_module "%s/mod_fcgid.so"\n' "$m"
			printf 'FcgidIPCDir "%s/run/fcgid"\n' "$srv"
			printf 'FcgidProcessTableFile "%s/run/fcgid-shm"\n' "$srv"
			printf 'FcgidMaxRequestLen 1073741824\n'
		else
			printf 'LoadModule cgi_module "%s/mod_cgi.so"\n' "$m"
		fi
		printf 'TypesConfig /etc/mime.types\n'
		printf 'LogFormat "%%h %%u %%t \\"%%r\\" %%>s %%O" common\n'
		printf 'CustomLog "%s/logs/access.log" common\n' "$srv"
		printf '<Directory />\n\tAllowOverride None\n\tRequire all denied\n</Directory>\n'
		printf '<Directory "%s/sites">\n' "$HT_HOME"
		printf '\tOptions SymLinksIfOwnerMatch\n\tAllowOverride All\n\tRequire all granted\n'
		printf '</Directory>\n'
		printf '<Files ".ht*">\n\tRequire all denied\n</Files>\n'
		printf 'Listen 127.0.0.1:%s\nListen 127.0.0.1:%s\n' "$p1" "$p2"
		printf '<VirtualHost 127.0.0.1:%s>\n\tDocumentRoot "%s/sites/%s-open"\n</VirtualHost>\n' \
			"$p1" "$HT_HOME" "$mode"
		printf '<VirtualHost 127.0.0.1:%s>\n\tDocumentRoot "%s/sites/%s-auth"\n</VirtualHost>\n' \
			"$p2" "$HT_HOME" "$mode"
	}
}

# ht_start_apache MODE: start the host's Apache for MODE as the account;
# records its ports in $BATS_FILE_TMPDIR/MODE.ports.
ht_start_apache() {
	local mode=$1 srv=$HT_HOME/httpd-$1 p1 p2 pid
	as_user mkdir -p "$srv/logs" "$srv/run/fcgid" || return 1
	for _ in 1 2 3; do
		p1=$(berth_free_port) && p2=$(berth_free_port) || return 1
		[ "$p1" != "$p2" ] || continue
		# shellcheck disable=SC2016 # $1 is the inner shell's
		ht_apache_conf "$mode" "$p1" "$p2" |
			as_user sh -c 'cat >"$1"' _ "$srv/httpd.conf" || return 1
		as_user apache2 -t -d "$srv" -f "$srv/httpd.conf" >"$BATS_FILE_TMPDIR/$mode.configtest" 2>&1 || {
			cat "$BATS_FILE_TMPDIR/$mode.configtest" >&2
			return 1
		}
		as_user apache2 -d "$srv" -f "$srv/httpd.conf" -DFOREGROUND \
			</dev/null >"$BATS_FILE_TMPDIR/$mode.apache.out" 2>&1 3>&- &
		pid=$!
		printf '%s\n' "$pid" >"$BATS_FILE_TMPDIR/$mode.pid"
		if _srv_wait "Apache ($mode)" "$pid" "http://127.0.0.1:$p1/v2/"; then
			printf '%s %s\n' "$p1" "$p2" >"$BATS_FILE_TMPDIR/$mode.ports"
			return 0
		fi
		_srv_kill "$pid" 5
		grep -qs 'Address already in use' "$srv/logs/error.log" \
			"$BATS_FILE_TMPDIR/$mode.apache.out" || break
	done
	_srv_dump_logs "$BATS_FILE_TMPDIR/$mode.apache.out" "$srv/logs/error.log"
	return 1
}

# ht_stop_apache MODE: stop the host's Apache for MODE and what it started.
ht_stop_apache() {
	local mode=$1 pidfile=$HT_HOME/httpd-$1/run/httpd.pid
	[ -f "$BATS_FILE_TMPDIR/$mode.pid" ] || return 0
	[ -f "$pidfile" ] && _srv_kill "$(cat "$pidfile")" 10
	_srv_kill "$(cat "$BATS_FILE_TMPDIR/$mode.pid")" 10
	rm -f "$BATS_FILE_TMPDIR/$mode.pid"
}

# as_user_copy SRC DEST: the account writes DEST with SRC's bytes, as an
# upload (scp, sftp) would; SRC need not be readable by the account.
as_user_copy() {
	# shellcheck disable=SC2016 # $1 is the inner shell's
	as_user sh -c 'cat >"$1" && chmod 0755 "$1"' _ "$2" <"$1"
}

# ht_docker_build NAME: an image FROM scratch with a 1 MiB layer (more than
# mod_fcgid's default body limit) and a small one, saved to NAME.tar.
ht_docker_build() {
	local name=$1 ctx=$BATS_FILE_TMPDIR/ctx-$1
	mkdir -p "$ctx"
	random_file "$ctx/big.bin" 1048576
	random_file "$ctx/small.txt" 1000
	printf 'FROM scratch\nCOPY big.bin /big.bin\nCOPY small.txt /small.txt\n' >"$ctx/Dockerfile"
	docker build --quiet -t "berth-ht/$name:1" "$ctx" >/dev/null || return 1
	docker save -o "$BATS_FILE_TMPDIR/$name.tar" "berth-ht/$name:1" || return 1
	docker rmi "berth-ht/$name:1" >/dev/null
}

setup_file() {
	local m kind up
	require_cmds apache2 runuser htpasswd skopeo umoci jq curl dockerd docker || return 1
	for m in mpm_event mpm_prefork rewrite fcgid cgi; do
		[ -f "$BERTH_APACHE_MODULES/mod_$m.so" ] || {
			echo "mod_$m missing (apt-get install apache2 libapache2-mod-fcgid)" >&2
			return 1
		}
	done
	if [ "$(id -u)" = 0 ]; then
		HT_USER=bht$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
		useradd -m -s /bin/sh "$HT_USER" || return 1
		printf '%s\n' "$HT_USER" >"$BATS_FILE_TMPDIR/created-user"
		HT_HOME=$(getent passwd "$HT_USER" | cut -d: -f6)
	else
		HT_USER=$(id -un)
		HT_HOME=$BATS_FILE_TMPDIR/home
		mkdir -p "$HT_HOME"
	fi
	export HT_USER HT_HOME

	# The account uploads the programs and contrib/htaccess ...
	up=$HT_HOME/upload
	as_user mkdir -p "$up/bin" "$up/htaccess" || return 1
	for m in berth-blobs berth-manifests berth-catalog berth-token; do
		as_user_copy "$BERTH_BUILDDIR/cgi-bin/$m" "$up/bin/$m" || return 1
	done
	as_user_copy "$BERTH_BUILDDIR/berthctl/berthctl" "$up/bin/berthctl" || return 1
	for m in README fcgid.htaccess cgi.htaccess berth-htaccess-setup; do
		as_user_copy "$BERTH_SRCDIR/contrib/htaccess/$m" "$up/htaccess/$m" || return 1
	done
	# ... and sets up two registries per mode: an open one and one with logins.
	for m in $HT_MODES; do
		for kind in open auth; do
			as_user mkdir -p "$HT_HOME/sites/$m-$kind" || return 1
			as_user sh "$up/htaccess/berth-htaccess-setup" --mode "$m" \
				--programs "$up/bin" --home "$HT_HOME/berth-$m-$kind" \
				"$HT_HOME/sites/$m-$kind" \
				>"$BATS_FILE_TMPDIR/setup-$m-$kind.out" 2>&1 || {
				cat "$BATS_FILE_TMPDIR/setup-$m-$kind.out" >&2
				return 1
			}
		done
		as_user htpasswd -B -b -c "$HT_HOME/berth-$m-auth/htpasswd" alice \
			"$HT_PASSWORD" 2>/dev/null || return 1
		as_user chmod 0600 "$HT_HOME/berth-$m-auth/htpasswd"
		# shellcheck disable=SC2016 # $1 is the inner shell's
		as_user sh -c 'cat >>"$1"' _ "$HT_HOME/berth-$m-auth/berth.ini" <<-INI

			[auth]
			method = htpasswd

			[htpasswd]
			path = $HT_HOME/berth-$m-auth/htpasswd
			realm = berth-test
		INI
		# The host's Apache (run by the account here: nothing needs root).
		ht_start_apache "$m" || return 1
	done

	# The client side.
	containers_isolate
	export OCI=$BATS_FILE_TMPDIR/oci
	for m in $HT_MODES; do
		CLIENTS_LAYER_BYTES=1048576 oci_build "$OCI" "$m" 2 || return 1
	done
	dockerd_start || return 1
	ht_docker_build open || return 1
	ht_docker_build auth || return 1
}

teardown_file() {
	local m u
	for m in $HT_MODES; do
		ht_stop_apache "$m"
	done
	dockerd_stop
	if [ -f "$BATS_FILE_TMPDIR/created-user" ]; then
		u=$(cat "$BATS_FILE_TMPDIR/created-user")
		if [ "${BERTH_KEEP:-0}" = 1 ]; then
			echo "70-htaccess: kept user $u and its home $HT_HOME" >&2
		else
			userdel -r "$u" 2>/dev/null || userdel "$u" ||
				echo "70-htaccess: could not remove user $u" >&2
		fi
	fi
}

setup() {
	:
}

teardown() {
	local m ids
	if [ "${BATS_TEST_COMPLETED:-}" != 1 ]; then
		for m in $HT_MODES; do
			_srv_dump_logs "$HT_HOME/httpd-$m/logs/error.log" \
				"$HT_HOME/berth-$m-open/berth.log" \
				"$HT_HOME/berth-$m-auth/berth.log"
		done
	fi
	ids=$(docker images --all --quiet | sort -u)
	# shellcheck disable=SC2086
	[ -z "$ids" ] || docker rmi --force $ids >/dev/null
}

# ht_use MODE open|auth: point the request helpers at that registry; sets
# HT_DOCROOT, HT_BERTH (the account's berth directory) and HT_EXT.
ht_use() {
	local p_open p_auth port
	read -r p_open p_auth <"$BATS_FILE_TMPDIR/$1.ports"
	port=$p_open
	[ "$2" = auth ] && port=$p_auth
	export BERTH_MODE=http BERTH_HOSTPORT=127.0.0.1:$port
	export BERTH_URL=http://$BERTH_HOSTPORT
	export BERTH_STORE=$HT_HOME/berth-$1-$2/storage
	HT_DOCROOT=$HT_HOME/sites/$1-$2
	HT_BERTH=$HT_HOME/berth-$1-$2
	HT_EXT=fcgi
	[ "$1" = cgi ] && HT_EXT=cgi
	return 0
}

# ---------------------------------------------------------------- checks

# The setup ran as the account, the account's Apache runs the programs, and
# everything they write belongs to the account; the configuration and the
# storage are outside the document root, which holds only what the setup
# put there.
check_unprivileged() {
	local mode=$1 uid pid repo
	ht_use "$mode" open
	run -0 as_user id -u
	uid=$output
	[ "$(id -u)" != 0 ] || [ "$uid" != 0 ] || fail "the account is root"
	assert_equal "$(stat -c %u "$HT_DOCROOT/.htaccess")" "$uid"
	run -0 cat "$BATS_FILE_TMPDIR/setup-$mode-open.out"
	assert_line --partial "berth is set up in $HT_DOCROOT ($mode)"
	pid=$(cat "$HT_HOME/httpd-$mode/run/httpd.pid")
	assert_equal "$(stat -c %u "/proc/$pid")" "$uid"

	repo=$(new_repo)
	reg POST "/v2/$repo/blobs/uploads/"
	assert_status 202
	run -0 find "$BERTH_STORE" ! -uid "$uid"
	assert_output ''
	run -0 find "$BERTH_STORE/repositories" -uid "$uid"
	refute_output ''

	case "$BERTH_STORE/" in "$HT_DOCROOT"/*) fail "storage inside the document root" ;; esac
	case "$HT_BERTH/" in "$HT_DOCROOT"/*) fail "berth.ini inside the document root" ;; esac
	run -0 ls -A "$HT_DOCROOT"
	assert_output "$(printf '.htaccess\nberth-blobs.%s\nberth-catalog.%s\nberth-manifests.%s\nberth-token.%s' \
		"$HT_EXT" "$HT_EXT" "$HT_EXT" "$HT_EXT")"
}

# The .htaccess routes each kind of path to its program and serves nothing
# else of berth's.
check_routing() {
	ht_use "$1" open
	reg GET /v2/
	assert_status 200
	assert_header Docker-Distribution-API-Version 'registry/2.0'
	assert_equal "$REG_BODY" '{}'
	reg GET /v2/_catalog
	assert_status 200
	assert_json '.repositories | type == "array"'
	reg GET /v2/t/x/blobs/sha256:0
	assert_error 400 DIGEST_INVALID
	reg GET /v2/t/x/manifests/latest
	assert_status 404
	assert_json '.errors[0].code | test("MANIFEST_UNKNOWN|NAME_UNKNOWN")'
	reg GET /v2/t/x/tags/list
	assert_status 404
	assert_json '.errors[0].code == "NAME_UNKNOWN"'
	reg GET /v2/nothing-here/at/all
	assert_status 404
	assert_json '.errors | length >= 1'
	# berth-token answers (an error: no token server is configured).
	reg GET /auth/token
	assert_header X-Request-Id
	# The programs are not reachable under their own names.
	reg GET "/berth-blobs.$HT_EXT"
	assert_status 404
	reg GET "/berth-catalog.$HT_EXT"
	assert_status 404
	reg GET /.htaccess
	assert_status 403
}

# skopeo pushes a two-layer image (1 MiB layers) and pulls it back.
check_skopeo() {
	local mode=$1 repo m back=$BATS_TEST_TMPDIR/back d
	ht_use "$mode" open
	repo=$(new_repo)
	m=$(oci_ref_digest "$OCI" "$mode")
	run -0 skcopy "oci:$OCI:$mode" "docker://$BERTH_HOSTPORT/$repo:1"
	assert_manifest "$repo" 1 "$m" "$MT_OCI_MANIFEST"
	for d in $(manifest_blobs "$MF_FILE"); do
		assert_blob "$repo" "$d" "$(oci_blob "$OCI" "$d")"
	done
	run -0 skcopy "docker://$BERTH_HOSTPORT/$repo:1" "oci:$back:1"
	assert_equal "$(oci_ref_digest "$back" 1)" "$m"
	for d in "$m" $(manifest_blobs "$MF_FILE"); do
		assert_same_blob "$(oci_blob "$OCI" "$d")" "$(oci_blob "$back" "$d")"
	done
	# shellcheck disable=SC2046
	assert_blobs_on_disk $(manifest_blobs "$MF_FILE")
}

# docker_roundtrip NAME IMAGE: load build NAME as IMAGE, push it, remove it,
# pull it back and compare its files; sets PUSHED to the pushed digest.
docker_roundtrip() {
	local name=$1 img=$2 f
	docker load -q -i "$BATS_FILE_TMPDIR/$name.tar" >/dev/null
	docker tag "berth-ht/$name:1" "$img"
	docker rmi "berth-ht/$name:1" >/dev/null
	run -0 docker push "$img"
	PUSHED=$(grep -Eo 'digest: sha256:[0-9a-f]{64}' <<<"$output")
	PUSHED=${PUSHED#digest: }
	[ -n "$PUSHED" ] || fail "no digest in push output: $output"
	run -0 docker rmi "$img"
	run ! docker image inspect "$img"
	run -0 docker pull "$img"
	assert_output --partial "Digest: $PUSHED"
	for f in big.bin small.txt; do
		docker_file_of "$img" "/$f" "$BATS_TEST_TMPDIR/$f"
		assert_same_blob "$BATS_FILE_TMPDIR/ctx-$name/$f" "$BATS_TEST_TMPDIR/$f"
	done
}

check_docker() {
	local repo
	ht_use "$1" open
	repo=$(new_repo)
	docker_roundtrip open "$BERTH_HOSTPORT/$repo:1"
	assert_manifest "$repo" 1 "$PUSHED" "$MT_DOCKER_MANIFEST"
}

# docker login against [auth] method = htpasswd: refused without and with a
# wrong password, then push and pull; logged out, pulls are refused.
check_docker_login() {
	local repo img body
	ht_use "$1" auth
	repo=$(new_repo)
	img=$BERTH_HOSTPORT/$repo:1

	reg GET /v2/
	assert_status 401
	assert_header WWW-Authenticate '^Basic realm="berth-test"'
	docker load -q -i "$BATS_FILE_TMPDIR/auth.tar" >/dev/null
	docker tag berth-ht/auth:1 "$img"
	run ! docker push "$img"
	assert_output --regexp 'no basic auth credentials|unauthorized|authentication required'
	docker rmi "$img" berth-ht/auth:1 >/dev/null

	run ! docker login -u alice --password-stdin "$BERTH_HOSTPORT" <<<"wrong"
	assert_output --partial 401
	run -0 docker login -u alice --password-stdin "$BERTH_HOSTPORT" <<<"$HT_PASSWORD"
	assert_output --partial 'Login Succeeded'

	docker_roundtrip auth "$img"
	body=$BATS_TEST_TMPDIR/manifest.json
	run -0 curl -sS -o "$body" -w '%{http_code}' -u "alice:$HT_PASSWORD" \
		-H "Accept: $MT_DOCKER_MANIFEST" "$BERTH_URL/v2/$repo/manifests/1"
	assert_output 200
	assert_equal "$(digest_of "$body")" "$PUSHED"

	run -0 docker logout "$BERTH_HOSTPORT"
	run -0 docker rmi "$img"
	run ! docker pull "$img"
	assert_output --regexp 'unauthorized|authentication required|no basic auth credentials'
}

# ------------------------------------------------------------------ tests

@test "fcgid: the account's steps need no root, and its Apache runs berth" {
	check_unprivileged fcgid
}

@test "fcgid: .htaccess routes /v2/ and /auth/ to the programs, nothing else" {
	check_routing fcgid
}

@test "fcgid: skopeo pushes an image with 1 MiB layers and pulls it back" {
	check_skopeo fcgid
}

@test "fcgid: docker pushes and pulls" {
	check_docker fcgid
}

@test "fcgid: docker login (htpasswd), push and pull; refused without" {
	check_docker_login fcgid
}

@test "cgi: the account's steps need no root, and its Apache runs berth" {
	check_unprivileged cgi
}

@test "cgi: .htaccess routes /v2/ and /auth/ to the programs, nothing else" {
	check_routing cgi
}

@test "cgi: skopeo pushes an image with 1 MiB layers and pulls it back" {
	check_skopeo cgi
}

@test "cgi: docker pushes and pulls" {
	check_docker cgi
}

@test "cgi: docker login (htpasswd), push and pull; refused without" {
	check_docker_login cgi
}
