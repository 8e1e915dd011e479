# lib_auth.bash: helpers for the authentication tests (60-auth-*)
# shellcheck shell=bash
#
# Load after helpers.bash.  auth_config writes a complete berth.ini for one
# test (log level info, so that every request leaves its "user=" line);
# auth_cgi runs one request as plain CGI like reg_cgi, with extra CGI
# variables (another REMOTE_ADDR, HTTPS, SSL_CLIENT_*, REMOTE_USER) that
# reg_cgi cannot set; basic_auth makes an Authorization header.

# Passwords of the users made by auth_users (never logged).
AUTH_PW_ALICE='Alice-pw-7Hq2'
AUTH_PW_BOB='Bob-pw-9Zx4'
AUTH_PW_CAROL='Carol-pw-3Mn8'
AUTH_PW_DAVE='Dave-pw-5Kc1'
AUTH_PW_ADMIN='Admin-pw-2Wd6'

# auth_users FILE: an htpasswd file as the real htpasswd writes it: alice,
# bob and admin with bcrypt (-B), carol with SHA-256-crypt (-2), dave with
# SHA-512-crypt (-5).
auth_users() {
	local f=$1
	htpasswd -cbB "$f" alice "$AUTH_PW_ALICE" 2>/dev/null &&
		htpasswd -bB "$f" bob "$AUTH_PW_BOB" 2>/dev/null &&
		htpasswd -bB "$f" admin "$AUTH_PW_ADMIN" 2>/dev/null &&
		htpasswd -b2 "$f" carol "$AUTH_PW_CAROL" 2>/dev/null &&
		htpasswd -b5 "$f" dave "$AUTH_PW_DAVE" 2>/dev/null &&
		chmod 0640 "$f"
}

# auth_config LINE...: BERTH_CONFIG for this test, storage in BERTH_STORE
# (default $BATS_TEST_TMPDIR/store), log in AUTH_LOG; the LINEs (sections
# and keys) are appended verbatim.
auth_config() {
	: "${BERTH_STORE:=$BATS_TEST_TMPDIR/store}"
	mkdir -p "$BERTH_STORE"
	BERTH_CONFIG=$BATS_TEST_TMPDIR/berth.ini
	AUTH_LOG=$BATS_TEST_TMPDIR/berth.log
	{
		storage_config
		printf '[registry]\ndelete = true\n'
		printf '[log]\nlevel = info\nfile = %s\n' "$AUTH_LOG"
		local l
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$BERTH_CONFIG"
	export BERTH_CONFIG BERTH_STORE AUTH_LOG
}

# basic_auth USER PASSWORD: the Authorization header line for -H.
basic_auth() {
	printf 'Authorization: Basic %s' "$(printf '%s:%s' "$1" "$2" | base64 -w0)"
}

# auth_cgi [-e NAME=VALUE]... [-u NAME]... METHOD PATH [reg_cgi options]:
# reg_cgi with extra CGI variables (-e, later ones win over reg_cgi's own,
# e.g. -e REMOTE_ADDR=192.0.2.7) or variables removed (-u).  The program is
# run through a small wrapper, since reg_cgi starts it with env -i.
auth_cgi() {
	local -a extra=()
	while [ $# -gt 0 ]; do
		case "$1" in
		-e) extra+=("$2"); shift 2 ;;
		-u) extra+=(-u "$2"); shift 2 ;;
		*) break ;;
		esac
	done
	local wrap=$BATS_TEST_TMPDIR/auth-wrap.$$ p
	mkdir -p "$wrap/cgi-bin"
	for p in berth-blobs berth-manifests berth-catalog; do
		{
			printf '#!/bin/bash\nexec env'
			printf ' %q' "${extra[@]}" "$BERTH_BUILDDIR/cgi-bin/$p"
			printf ' "$@"\n'
		} >"$wrap/cgi-bin/$p"
		chmod +x "$wrap/cgi-bin/$p"
	done
	BERTH_BUILDDIR=$wrap reg_cgi "$@"
}

# store_snapshot: every path under BERTH_STORE with the sha256 of each file
# and the target of each link, sorted (compare two to prove nothing changed).
store_snapshot() {
	(cd "$BERTH_STORE" && find . -mindepth 1 -printf '%y %p %l\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# assert_log_has / refute_log_has TEXT: the registry's log file (and the
# programs' stderr of the last request) contain TEXT, or do not.
_auth_logs() {
	cat "$AUTH_LOG" "$BATS_TEST_TMPDIR"/cgierr.* 2>/dev/null
}

assert_log_has() {
	if ! _auth_logs | grep -qF -- "$1"; then
		batslib_print_kv_single_or_multi 8 expected "$1" log "$(_auth_logs)" |
			batslib_decorate 'log does not contain the text' | fail
	fi
}

refute_log_has() {
	if _auth_logs | grep -qF -- "$1"; then
		batslib_print_kv_single_or_multi 8 unexpected "$1" log "$(_auth_logs)" |
			batslib_decorate 'log contains the text' | fail
	fi
}

# fcgi_start PROGRAM: run one long-lived FastCGI process of PROGRAM (as
# spawn-fcgi starts it, with the current BERTH_CONFIG) on a socket of its
# own; fcgi_cgi then sends requests to it, so that a test can change files
# between two requests served by the same process.  fcgi_stop ends it.
fcgi_start() {
	FCGI_DIR=$(mktemp -d "${TMPDIR:-/tmp}/berth-fcgi.XXXXXX") || return 1
	BERTH_CONFIG=$BERTH_CONFIG spawn-fcgi -n -s "$FCGI_DIR/sock" -- \
		"$BERTH_BUILDDIR/cgi-bin/$1" </dev/null >"$FCGI_DIR/out" 2>&1 3>&- &
	FCGI_PID=$!
	local i
	for ((i = 0; i < 50; i++)); do
		[ -S "$FCGI_DIR/sock" ] && return 0
		kill -0 "$FCGI_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$FCGI_DIR/out" >&2
	fcgi_stop
	return 1
}

fcgi_stop() {
	if [ -n "${FCGI_PID:-}" ]; then
		kill "$FCGI_PID" 2>/dev/null
		wait "$FCGI_PID" 2>/dev/null
		FCGI_PID=
	fi
	case "${FCGI_DIR:-}" in
	*/berth-fcgi.*) rm -rf -- "$FCGI_DIR" ;;
	esac
	FCGI_DIR=
}

# fcgi_cgi METHOD PATH [reg_cgi options]: one request to the process of
# fcgi_start, relayed by cgi-fcgi with the CGI variables reg_cgi sets.
fcgi_cgi() {
	local wrap=$BATS_TEST_TMPDIR/fcgi-wrap.$$ p
	mkdir -p "$wrap/cgi-bin"
	for p in berth-blobs berth-manifests berth-catalog; do
		printf '#!/bin/bash\nexec cgi-fcgi -bind -connect %q\n' \
			"$FCGI_DIR/sock" >"$wrap/cgi-bin/$p"
		chmod +x "$wrap/cgi-bin/$p"
	done
	BERTH_BUILDDIR=$wrap reg_cgi "$@"
}

# assert_status_in STATUS...: the last status is one of these.
assert_status_in() {
	local s
	for s in "$@"; do
		[ "$REG_STATUS" = "$s" ] && return 0
	done
	batslib_print_kv_single_or_multi 8 expected "$*" actual "$REG_STATUS" \
		headers "$REG_HEADERS" body "$REG_BODY" |
		batslib_decorate 'unexpected HTTP status' | fail
}
