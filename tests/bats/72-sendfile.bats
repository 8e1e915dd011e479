#!/usr/bin/env bats
# 72-sendfile.bats: blob GETs through X-Sendfile ([http] sendfile).  With
# "auto" (the default) berth-blobs hands a whole blob to the web server only
# when the web server sets the request variable BERTH_X_SENDFILE=on, as the
# shipped lighttpd.conf does on the blobs route; with "none" never, with
# "x-sendfile" always.  Handed over, the web server sends the file, and the
# client gets exactly the blob and never sees the X-Sendfile header.
#
# Mode cgi checks the program's side: which requests get the header.  The
# lighttpd and Apache modes (filesystem driver: X-Sendfile needs a local
# file) start servers of their own and tell who sent the bytes by the
# Last-Modified header: lighttpd and mod_xsendfile add one, the data file's
# mtime, to a file they send themselves, and berth never sends one.
#
# modes: cgi lighttpd apache

load helpers
load lib_blobs
load ../lib/servers

setup_file() {
	local dir
	[ "$BERTH_MODE" = http ] || return 0
	dir=$(mktemp -d "${TMPDIR:-/tmp}/berth-sf.XXXXXX")
	chmod 0755 "$dir"
	printf '%s\n' "$dir" >"$BATS_FILE_TMPDIR/dir"
	# lighttpd: berth.ini without a sendfile line, behind lighttpd.conf as
	# shipped.  Apache as shipped (mod_proxy_fcgi) does not set the
	# variable: X-Sendfile there is "sendfile = x-sendfile".
	if [ "$BERTH_SERVER" = apache ]; then
		sf_start "$dir/main" proxy_fcgi '[http]' 'sendfile = x-sendfile'
	else
		sf_start "$dir/main" default
	fi
	printf '%s\n' "$BERTH_URL" >"$BATS_FILE_TMPDIR/url"
}

teardown_file() {
	local dir
	[ -f "$BATS_FILE_TMPDIR/dir" ] || return 0
	dir=$(cat "$BATS_FILE_TMPDIR/dir")
	"stop_$BERTH_SERVER" "$dir/main/server"
	case "$dir" in
	*/berth-sf.*) rm -rf -- "$dir" ;;
	esac
}

setup() {
	if [ "$BERTH_MODE" = cgi ]; then
		write_config "$@"
		return
	fi
	BERTH_URL=$(cat "$BATS_FILE_TMPDIR/url")
	SF_DIR=$(cat "$BATS_FILE_TMPDIR/dir")
	BERTH_STORE=$SF_DIR/main/server/storage
	export BERTH_URL BERTH_STORE
}

teardown() {
	if [ -f "$BATS_TEST_TMPDIR/own-server" ]; then
		"stop_$BERTH_SERVER" "$(cat "$BATS_TEST_TMPDIR/own-server")"
	fi
}

# sf_start DIR VARIANT [LINE...]: start a server of the current mode on a
# storage and berth.ini of its own in DIR, the LINEs added to berth.ini;
# VARIANT is Apache's (proxy_fcgi or fcgid).  Exports BERTH_URL and
# BERTH_STORE.
sf_start() {
	local dir=$1 variant=$2 l
	shift 2
	mkdir -p "$dir/server/storage" || return 1
	chmod 0755 "$dir" "$dir/server"
	: >"$dir/berth.log"
	if [ "$BERTH_SERVER" = apache ] && [ "$(id -u)" = 0 ]; then
		if [ "$variant" = fcgid ]; then
			# mod_fcgid runs the programs as Apache's user (www-data),
			# which then owns the storage.
			chown www-data "$dir/server/storage" "$dir/berth.log"
		else
			# Apache's worker user opens the file itself: the storage
			# group is its group, setgid, as the deployment notes in
			# httpd-conf/apache.conf say.
			chgrp www-data "$dir/server/storage"
			chmod 2750 "$dir/server/storage"
		fi
	fi
	{
		printf '[storage]\npath = %s\n' "$dir/server/storage"
		printf '[registry]\ndelete = true\n'
		printf '[log]\nfile = %s\n' "$dir/berth.log"
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$dir/berth.ini"
	BERTH_APACHE_VARIANT=$variant "start_$BERTH_SERVER" "$BERTH_BUILDDIR" \
		"$dir/berth.ini" "$dir/server" || return 1
	BERTH_STORE=$dir/server/storage
	export BERTH_STORE
}

# own_server VARIANT [LINE...]: sf_start for this test alone (teardown
# stops it).
own_server() {
	local dir=$SF_DIR/t$BATS_TEST_NUMBER
	printf '%s\n' "$dir/server" >"$BATS_TEST_TMPDIR/own-server"
	sf_start "$dir" "$@"
}

only_cgi() {
	[ "$BERTH_MODE" = cgi ] || skip "the program's side: mode cgi"
}

only_http() {
	[ "$BERTH_MODE" = http ] || skip "needs a web server"
	[ -z "${1:-}" ] || [ "$BERTH_SERVER" = "$1" ] || skip "$1 only"
}

# assert_sent_by_web_server FILE: the web server sent FILE itself: its
# Last-Modified is FILE's mtime (lighttpd and mod_xsendfile add it; the
# program never does).
assert_sent_by_web_server() {
	local want
	want=$(LC_ALL=C date -u -d "@$(stat -c %Y "$1")" '+%a, %d %b %Y %H:%M:%S GMT')
	assert_header Last-Modified "^$want\$"
}

# assert_blob_response FILE DIGEST: a 200 with exactly FILE's bytes and the
# registry's headers, and no X-Sendfile header or storage path leaked.
assert_blob_response() {
	assert_status 200
	assert_body_is "$1"
	assert_header_eq Docker-Content-Digest "$2"
	assert_header_eq ETag "\"$2\""
	assert_header_eq Content-Length "$(stat -c %s "$1")"
	assert_header_eq Content-Type application/octet-stream
	refute_header X-Sendfile
	refute_header X-Lighttpd-Send-File
	refute [ -n "$(grep -l "$BERTH_STORE" "$REG_BODY_FILE" 2>/dev/null)" ]
}

# push_random REPO SIZE: push SIZE random bytes as a blob into REPO; sets
# BLOB (the file) and DIGEST.
push_random() {
	BLOB=$BATS_TEST_TMPDIR/blob.$RANDOM
	random_file "$BLOB" "$2"
	DIGEST=$(push_blob "$1" "$BLOB")
}

# ----------------------------------------------------------- the program

@test "cgi: by default, a whole blob goes to the web server only when it sets BERTH_X_SENDFILE=on" {
	local repo v
	only_cgi
	repo=$(new_repo)
	push_random "$repo" 5000
	reg GET "/v2/$repo/blobs/$DIGEST" -e BERTH_X_SENDFILE=on
	assert_status 200
	assert_header_eq X-Sendfile "$(blob_data_path "$DIGEST")"
	assert_header_eq Content-Length 5000
	assert_header_eq Docker-Content-Digest "$DIGEST"
	assert_no_body
	# Without the variable, or with any other value, the program streams.
	for v in '' off 1 ON; do
		if [ -n "$v" ]; then
			reg GET "/v2/$repo/blobs/$DIGEST" -e "BERTH_X_SENDFILE=$v"
		else
			reg GET "/v2/$repo/blobs/$DIGEST"
		fi
		assert_blob_response "$BLOB" "$DIGEST"
	done
}

@test "cgi: a client's Berth-X-Sendfile header changes nothing" {
	local repo
	only_cgi
	repo=$(new_repo)
	push_random "$repo" 5000
	# Client headers arrive as HTTP_* variables only.
	reg GET "/v2/$repo/blobs/$DIGEST" -H 'Berth-X-Sendfile: on'
	assert_blob_response "$BLOB" "$DIGEST"
	reg GET "/v2/$repo/blobs/$DIGEST" -H 'BERTH_X_SENDFILE: on'
	assert_blob_response "$BLOB" "$DIGEST"
}

@test "cgi: ranges, HEAD and empty blobs are the program's even with BERTH_X_SENDFILE=on" {
	local repo
	only_cgi
	repo=$(new_repo)
	push_random "$repo" 5000
	reg GET "/v2/$repo/blobs/$DIGEST" -e BERTH_X_SENDFILE=on \
		-H 'Range: bytes=1000-1999'
	assert_status 206
	refute_header X-Sendfile
	cmp "$REG_BODY_FILE" <(tail -c +1001 "$BLOB" | head -c 1000)
	reg HEAD "/v2/$repo/blobs/$DIGEST" -e BERTH_X_SENDFILE=on
	assert_status 200
	refute_header X-Sendfile
	assert_no_body
	push_random "$repo" 0
	reg GET "/v2/$repo/blobs/$DIGEST" -e BERTH_X_SENDFILE=on
	assert_blob_response "$BLOB" "$DIGEST"
}

@test "cgi: sendfile = none never uses X-Sendfile, x-sendfile always does" {
	local repo
	only_cgi
	write_config '[http]' 'sendfile = none'
	repo=$(new_repo)
	push_random "$repo" 5000
	reg GET "/v2/$repo/blobs/$DIGEST" -e BERTH_X_SENDFILE=on
	assert_blob_response "$BLOB" "$DIGEST"
	write_config '[http]' 'sendfile = x-sendfile'
	repo=$(new_repo)
	push_random "$repo" 5000
	reg GET "/v2/$repo/blobs/$DIGEST"
	assert_status 200
	assert_header_eq X-Sendfile "$(blob_data_path "$DIGEST")"
	assert_no_body
}

# ------------------------------------------------------- the web servers

@test "a whole-blob GET is sent by the web server, byte for byte, with the registry's headers" {
	local repo
	only_http
	repo=$(new_repo)
	push_random "$repo" 3000000
	reg GET "/v2/$repo/blobs/$DIGEST"
	assert_blob_response "$BLOB" "$DIGEST"
	assert_sent_by_web_server "$(blob_data_path "$DIGEST")"
	# The program logged the request.
	run grep -c "method=GET path=/v2/$repo/blobs/$DIGEST status=200" \
		"$SF_DIR/main/berth.log"
	assert_output 1
}

@test "a client's Berth-X-Sendfile header changes nothing behind the web server" {
	local repo
	only_http
	repo=$(new_repo)
	push_random "$repo" 100000
	reg GET "/v2/$repo/blobs/$DIGEST" -H 'Berth-X-Sendfile: off' \
		-H 'BERTH_X_SENDFILE: off'
	assert_blob_response "$BLOB" "$DIGEST"
	assert_sent_by_web_server "$(blob_data_path "$DIGEST")"
}

@test "ranged GETs are still answered by the program (206, exact bytes)" {
	local repo
	only_http
	repo=$(new_repo)
	push_random "$repo" 100000
	reg GET "/v2/$repo/blobs/$DIGEST" -H 'Range: bytes=1000-1999'
	assert_status 206
	assert_header Content-Range '^bytes 1000-1999/100000$'
	refute_header Last-Modified
	cmp "$REG_BODY_FILE" <(tail -c +1001 "$BLOB" | head -c 1000)
}

@test "HEAD and unknown blobs are unchanged with X-Sendfile on" {
	local repo
	only_http
	repo=$(new_repo)
	push_random "$repo" 5000
	reg HEAD "/v2/$repo/blobs/$DIGEST"
	assert_status 200
	assert_header Content-Length '^5000$'
	refute_header X-Sendfile
	reg GET "/v2/other/blobs/$DIGEST"
	assert_error 404 BLOB_UNKNOWN
}

@test "lighttpd: sendfile = none streams although lighttpd sets BERTH_X_SENDFILE" {
	local repo
	only_http lighttpd
	own_server default '[http]' 'sendfile = none'
	repo=$(new_repo)
	push_random "$repo" 300000
	reg GET "/v2/$repo/blobs/$DIGEST" -H 'Berth-X-Sendfile: on'
	assert_blob_response "$BLOB" "$DIGEST"
	refute_header Last-Modified
}

@test "Apache as shipped (mod_proxy_fcgi): sendfile = auto streams, whatever the client sends" {
	local repo
	only_http apache
	# mod_xsendfile is loaded and could read the storage (servers.bash,
	# sf_start): only the missing variable keeps X-Sendfile off.
	own_server proxy_fcgi '[http]' 'sendfile = auto'
	repo=$(new_repo)
	push_random "$repo" 300000
	reg GET "/v2/$repo/blobs/$DIGEST"
	assert_blob_response "$BLOB" "$DIGEST"
	refute_header Last-Modified
	reg GET "/v2/$repo/blobs/$DIGEST" -H 'Berth-X-Sendfile: on'
	assert_blob_response "$BLOB" "$DIGEST"
	refute_header Last-Modified
}

@test "Apache with mod_fcgid and mod_xsendfile: the default sends whole blobs by X-Sendfile" {
	local repo m=$BERTH_APACHE_MODULES
	only_http apache
	[ -f "$m/mod_fcgid.so" ] && [ -f "$m/mod_xsendfile.so" ] ||
		skip "needs libapache2-mod-fcgid and libapache2-mod-xsendfile"
	own_server fcgid
	repo=$(new_repo)
	push_random "$repo" 300000
	reg GET "/v2/$repo/blobs/$DIGEST"
	assert_blob_response "$BLOB" "$DIGEST"
	assert_sent_by_web_server "$(blob_data_path "$DIGEST")"
	reg GET "/v2/$repo/blobs/$DIGEST" -H 'Range: bytes=10-19'
	assert_status 206
	refute_header Last-Modified
}
