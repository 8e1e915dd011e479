#!/usr/bin/env bats
# 72-sendfile.bats: blob GETs through X-Sendfile ([http] sendfile =
# x-sendfile) behind the current web server: the web server sends the file,
# the client gets exactly the blob and never sees the X-Sendfile header.
# Runs in the lighttpd and Apache modes (filesystem driver: X-Sendfile
# needs a local file) with a server of its own.
#
# modes: lighttpd apache

load helpers
load ../lib/servers

setup_file() {
	local dir
	# Apache's worker user (www-data) opens the file itself: the state
	# must be reachable, and the storage group-readable by its group, as
	# the deployment notes in httpd-conf/apache.conf say (setgid group).
	dir=$(mktemp -d "${TMPDIR:-/tmp}/berth-sf.XXXXXX")
	chmod 0755 "$dir"
	printf '%s\n' "$dir" >"$BATS_FILE_TMPDIR/dir"
	if [ "$BERTH_SERVER" = apache ]; then
		mkdir -p "$dir/server/storage"
		chgrp www-data "$dir/server/storage"
		chmod 2750 "$dir/server/storage"
	fi
	# servers.bash points x-sendfile at STATE_DIR/storage/blobs.
	{
		printf '[storage]\npath = %s\n' "$dir/server/storage"
		printf '[registry]\ndelete = true\n'
		printf '[http]\nsendfile = x-sendfile\n'
		printf '[log]\nfile = %s\n' "$dir/berth.log"
	} >"$dir/berth.ini"
	"start_$BERTH_SERVER" "$BERTH_BUILDDIR" "$dir/berth.ini" "$dir/server"
	printf '%s\n' "$BERTH_URL" >"$BATS_FILE_TMPDIR/url"
}

teardown_file() {
	local dir
	dir=$(cat "$BATS_FILE_TMPDIR/dir")
	"stop_$BERTH_SERVER" "$dir/server"
	case "$dir" in
	*/berth-sf.*) rm -rf -- "$dir" ;;
	esac
}

setup() {
	BERTH_MODE=http
	BERTH_URL=$(cat "$BATS_FILE_TMPDIR/url")
	SF_DIR=$(cat "$BATS_FILE_TMPDIR/dir")
	BERTH_STORE=$SF_DIR/server/storage
	export BERTH_MODE BERTH_URL BERTH_STORE
}

@test "a whole-blob GET is sent by the web server, byte for byte, with the registry's headers" {
	local repo d
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/b" 3000000
	d=$(push_blob "$repo" "$BATS_TEST_TMPDIR/b")
	reg GET "/v2/$repo/blobs/$d"
	assert_status 200
	cmp "$REG_BODY_FILE" "$BATS_TEST_TMPDIR/b"
	assert_header Docker-Content-Digest "^$d\$"
	assert_header Content-Length '^3000000$'
	refute_header X-Sendfile
	refute_header X-Lighttpd-Send-File
	# The program logged the request, and the path never reached the client.
	run grep -c "method=GET path=/v2/$repo/blobs/$d status=200" "$SF_DIR/berth.log"
	assert_output 1
	refute [ -n "$(grep -l "$BERTH_STORE" "$REG_BODY_FILE" 2>/dev/null)" ]
}

@test "ranged GETs are still answered by the program (206, exact bytes)" {
	local repo d
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/b" 100000
	d=$(push_blob "$repo" "$BATS_TEST_TMPDIR/b")
	reg GET "/v2/$repo/blobs/$d" -H 'Range: bytes=1000-1999'
	assert_status 206
	assert_header Content-Range '^bytes 1000-1999/100000$'
	cmp "$REG_BODY_FILE" <(tail -c +1001 "$BATS_TEST_TMPDIR/b" | head -c 1000)
}

@test "HEAD and unknown blobs are unchanged with X-Sendfile on" {
	local repo d
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/b" 5000
	d=$(push_blob "$repo" "$BATS_TEST_TMPDIR/b")
	reg HEAD "/v2/$repo/blobs/$d"
	assert_status 200
	assert_header Content-Length '^5000$'
	refute_header X-Sendfile
	reg GET "/v2/other/blobs/$d"
	assert_error 404 BLOB_UNKNOWN
}
