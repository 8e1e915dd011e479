#!/usr/bin/env bats
# 74-s3.bats: what only the S3 driver does, against the runner's radosgw:
# several stateless front ends over one bucket (the mode's lighttpd and an
# Apache of this file's own, same bucket and key prefix), redirects to
# presigned URLs, server-side encryption and storage class headers, wrong
# credentials, the store going away in the middle of an upload or freezing,
# and copies in parts above copy_cutoff.
#
# modes: lighttpd-s3

load helpers
load lib_blobs
load clients

MIB=1048576

setup_file() {
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/berth-s3.XXXXXX")
	chmod 0755 "$dir"
	printf '%s\n' "$dir" >"$BATS_FILE_TMPDIR/dir"
	printf '%s\n' "$BERTH_URL" >"$BATS_FILE_TMPDIR/url_a"
	# Front end B: Apache, the very same storage settings as A.
	awk '/^\[log\]/ { skip = 1; next } /^\[/ { skip = 0 } !skip' "$BERTH_CONFIG" >"$dir/b.ini"
	printf '[log]\nlevel = info\nfile = %s/b.log\n' "$dir" >>"$dir/b.ini"
	start_apache "$BERTH_BUILDDIR" "$dir/b.ini" "$dir/apache"
	printf '%s\n' "$BERTH_URL" >"$BATS_FILE_TMPDIR/url_b"
	printf '%s\n' "$BERTH_HOSTPORT" >"$BATS_FILE_TMPDIR/hostport_b"
	# Front end R: lighttpd handing blob GETs to the store (307).
	{
		cat "$dir/b.ini"
		printf '[s3]\nredirect = true\nredirect_expiry = 120\n'
	} >"$dir/r.ini"
	sed -i "s|$dir/b.log|$dir/r.log|" "$dir/r.ini"
	start_lighttpd "$BERTH_BUILDDIR" "$dir/r.ini" "$dir/lighttpd-r"
	printf '%s\n' "$BERTH_URL" >"$BATS_FILE_TMPDIR/url_r"
	printf '%s\n' "$BERTH_HOSTPORT" >"$BATS_FILE_TMPDIR/hostport_r"
}

teardown_file() {
	local dir
	dir=$(cat "$BATS_FILE_TMPDIR/dir")
	stop_apache "$dir/apache"
	stop_lighttpd "$dir/lighttpd-r"
	case "$dir" in
	*/berth-s3.*) rm -rf -- "$dir" ;;
	esac
}

setup() {
	S3_DIR=$(cat "$BATS_FILE_TMPDIR/dir")
	URL_A=$(cat "$BATS_FILE_TMPDIR/url_a")
	URL_B=$(cat "$BATS_FILE_TMPDIR/url_b")
	URL_R=$(cat "$BATS_FILE_TMPDIR/url_r")
	HOSTPORT_B=$(cat "$BATS_FILE_TMPDIR/hostport_b")
	HOSTPORT_R=$(cat "$BATS_FILE_TMPDIR/hostport_r")
	BERTH_URL=$URL_A
	export BERTH_URL
}

teardown() {
	# A test that stopped radosgw and failed before starting it again.
	if [ -e "$BATS_TEST_TMPDIR/rgw-stopped" ]; then
		start_rgw "$BERTH_CEPH_STATE"
	fi
	if [ -e "$BATS_TEST_TMPDIR/rgw-frozen" ]; then
		kill -CONT "$(_ceph_pid "$BERTH_CEPH_STATE" rgw)"
	fi
}

# via A|B|R: send the following reg calls to that front end.
via() {
	case "$1" in
	A) BERTH_URL=$URL_A ;;
	B) BERTH_URL=$URL_B ;;
	R) BERTH_URL=$URL_R ;;
	esac
}

# cgi_config LINES...: plain-CGI requests with the mode's S3 settings
# under a key prefix of this test's own, plus LINES.
cgi_config() {
	BERTH_MODE=cgi
	BERTH_S3_PREFIX=s3t/$BATS_TEST_NUMBER-$RANDOM$RANDOM
	BERTH_CONFIG=$BATS_TEST_TMPDIR/berth.ini
	{
		storage_config
		printf '[log]\nlevel = info\nfile = %s\n' "$BATS_TEST_TMPDIR/berth.log"
		local l
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$BERTH_CONFIG"
	export BERTH_MODE BERTH_S3_PREFIX BERTH_CONFIG
}

# object_headers KEY: HEAD of an object of the current prefix, straight
# from radosgw (headers on stdout).
object_headers() {
	s3_curl -sf -I "/$BERTH_S3_BUCKET/${BERTH_S3_PREFIX%/}/$1"
}

@test "a push through lighttpd is pulled through Apache byte for byte, and a delete through Apache is seen by lighttpd" {
	local repo
	repo=$(new_repo)
	via A
	make_image "$repo" v1
	via B
	reg GET "/v2/$repo/manifests/v1" -H "Accept: $MT_OCI_MANIFEST"
	assert_status 200
	cmp "$REG_BODY_FILE" "$IMG_MANIFEST"
	reg GET "/v2/$repo/blobs/$IMG_LAYER"
	assert_status 200
	assert_equal "$(digest_stdin <"$REG_BODY_FILE")" "$IMG_LAYER"
	reg GET "/v2/$repo/tags/list"
	assert_status 200
	assert_json '.tags == ["v1"]'
	reg DELETE "/v2/$repo/manifests/$IMG_DIGEST"
	assert_status 202
	via A
	reg GET "/v2/$repo/manifests/$IMG_DIGEST"
	assert_error 404 MANIFEST_UNKNOWN
	reg GET "/v2/$repo/manifests/v1"
	assert_error 404 MANIFEST_UNKNOWN
	reg DELETE "/v2/$repo/blobs/$IMG_LAYER"
	assert_status 202
	via B
	reg HEAD "/v2/$repo/blobs/$IMG_LAYER"
	assert_status 404
}

@test "the chunks of one upload alternate between the two front ends (parts, tails below 5 MiB)" {
	local repo f d off=0 i size
	local -a sizes=(3 4 2 17 1) # MiB: tail, part, tail, part + tail, last
	repo=$(new_repo)
	f=$BATS_TEST_TMPDIR/blob
	for i in "${!sizes[@]}"; do
		random_file "$BATS_TEST_TMPDIR/c$i" $((sizes[i] * MIB))
		cat "$BATS_TEST_TMPDIR/c$i" >>"$f"
	done
	d=$(digest_of "$f")
	via A
	start_upload "$repo"
	for i in 0 1 2 3; do
		if ((i % 2)); then via B; else via A; fi
		patch_chunk "$BATS_TEST_TMPDIR/c$i" "$off"
		assert_status 202
		size=$(stat -c %s "$BATS_TEST_TMPDIR/c$i")
		off=$((off + size))
		assert_header Range "^0-$((off - 1))\$"
		# The other front end knows where the upload stands.
		if ((i % 2)); then via A; else via B; fi
		reg GET "$UPLOAD"
		assert_status 204
		assert_header Range "^0-$((off - 1))\$"
	done
	via B
	finish_upload "$d" "$BATS_TEST_TMPDIR/c4"
	assert_status 201
	# Nothing of the upload is left in the bucket.
	refute [ -e "$(upload_dir "$repo" "$UPLOAD_ID")" ]
	via A
	reg GET "/v2/$repo/blobs/$d"
	assert_status 200
	cmp "$REG_BODY_FILE" "$f"
	reg GET "/v2/$repo/blobs/$d" -H "Range: bytes=$((7 * MIB - 3))-$((7 * MIB + 2))"
	assert_status 206
	cmp "$REG_BODY_FILE" <(tail -c +$((7 * MIB - 2)) "$f" | head -c 6)
	cmp "$(blob_data_path "$d")" "$f"
}

@test "skopeo pushes through Apache and pulls through lighttpd the same image" {
	local repo m back=$BATS_TEST_TMPDIR/back d
	containers_isolate
	OCI=$BATS_TEST_TMPDIR/oci
	oci_build "$OCI" cross 3
	repo=$(new_repo)
	m=$(oci_ref_digest "$OCI" cross)
	run -0 skcopy "oci:$OCI:cross" "docker://$HOSTPORT_B/$repo:v1"
	run -0 skcopy "docker://$BERTH_HOSTPORT/$repo:v1" "oci:$back:v1"
	assert_equal "$(oci_ref_digest "$back" v1)" "$m"
	for d in $(jq -r '.layers[].digest' "$(oci_blob "$OCI" "$m")"); do
		assert_same_blob "$(oci_blob "$OCI" "$d")" "$(oci_blob "$back" "$d")"
	done
}

@test "with redirect = true a blob GET is a 307 to a presigned URL that serves the bytes and ranges" {
	local repo d loc
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/b" 200000
	via A
	d=$(push_blob "$repo" "$BATS_TEST_TMPDIR/b")
	via R
	reg GET "/v2/$repo/blobs/$d"
	assert_status 307
	assert_header Docker-Content-Digest "^$d\$"
	loc=$(header Location)
	assert_regex "$loc" "^$BERTH_S3_ENDPOINT/$BERTH_S3_BUCKET/lighttpd-s3/blobs/sha256/.*X-Amz-Expires=120&.*X-Amz-Signature=[0-9a-f]{64}\$"
	# The URL works without any credentials, ranges included.
	curl -sf -o "$BATS_TEST_TMPDIR/got" "$loc"
	cmp "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/b"
	curl -sf -r 1000-1999 -o "$BATS_TEST_TMPDIR/part" "$loc"
	cmp "$BATS_TEST_TMPDIR/part" <(tail -c +1001 "$BATS_TEST_TMPDIR/b" | head -c 1000)
	# A tampered URL (another object) is refused by the store.
	run curl -s -o /dev/null -w '%{http_code}' "${loc/sha256\//sha256x/}"
	assert_output 403
	# HEAD is answered by berth itself; a blob not in the repository is
	# still a 404, never a redirect.
	reg HEAD "/v2/$repo/blobs/$d"
	assert_status 200
	assert_header Content-Length '^200000$'
	reg GET "/v2/$(new_repo)/blobs/$d"
	assert_error 404 BLOB_UNKNOWN
}

@test "skopeo and docker pull through the redirecting front end" {
	local repo m back=$BATS_TEST_TMPDIR/back
	containers_isolate
	OCI=$BATS_TEST_TMPDIR/oci
	oci_build "$OCI" redir 2
	repo=$(new_repo)
	m=$(oci_ref_digest "$OCI" redir)
	run -0 skcopy "oci:$OCI:redir" "docker://$BERTH_HOSTPORT/$repo:v1"
	run -0 skcopy "docker://$HOSTPORT_R/$repo:v1" "oci:$back:v1"
	assert_equal "$(oci_ref_digest "$back" v1)" "$m"
	run grep -c "path=/v2/$repo/blobs/sha256:[0-9a-f]* status=307" "$S3_DIR/r.log"
	assert_output 3 # config + 2 layers
	dockerd_start
	run -0 docker pull -q "$HOSTPORT_R/$repo:v1"
	run -0 docker image inspect "$HOSTPORT_R/$repo:v1"
	dockerd_stop
}

@test "encrypt = true sends SSE AES256 and the storage class with every object written; kms_key_id stores with aws:kms" {
	local repo d f
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/small" 1000
	random_file "$BATS_TEST_TMPDIR/big" $((6 * MIB)) # a multipart upload
	# radosgw 16 takes AES256 (SSE-S3) without encrypting or echoing it:
	# what the store received is in its ops log.
	cgi_config '[s3]' 'encrypt = true' 'storage_class = STANDARD'
	for f in small big; do
		d=$(push_blob "$repo" "$BATS_TEST_TMPDIR/$f")
		rgw_ops_grep "\"PUT /$BERTH_S3_BUCKET/$BERTH_S3_PREFIX/blobs/sha256/${d:7:2}/${d#sha256:}/data HTTP/1.1\".*\"HTTP_X_AMZ_SERVER_SIDE_ENCRYPTION\":\"AES256\".*\"HTTP_X_AMZ_STORAGE_CLASS\":\"STANDARD\"" >/dev/null ||
			fail "no PUT of $d with SSE AES256 and the storage class"
		reg GET "/v2/$repo/blobs/$d"
		cmp "$REG_BODY_FILE" "$BATS_TEST_TMPDIR/$f"
	done
	# The multipart upload was started with them too.
	rgw_ops_grep "\"POST /$BERTH_S3_BUCKET/$BERTH_S3_PREFIX/repositories/$repo/_uploads/[0-9a-f]*/data\?uploads[^ ]* HTTP/1.1\".*\"HTTP_X_AMZ_SERVER_SIDE_ENCRYPTION\":\"AES256\"" >/dev/null ||
		fail "no multipart upload started with SSE AES256"
	# SSE-KMS is really applied by radosgw, and shown on HEAD.
	cgi_config '[s3]' 'encrypt = true' "kms_key_id = $BERTH_S3_KMS_KEY_ID"
	for f in small big; do
		d=$(push_blob "$repo" "$BATS_TEST_TMPDIR/$f")
		run -0 object_headers "blobs/sha256/${d:7:2}/${d#sha256:}/data"
		assert_output --regexp $'[eE]ncryption: aws:kms\r'
		assert_output --regexp "[kK]ms-[kK]ey-[iI]d: $BERTH_S3_KMS_KEY_ID"
		reg GET "/v2/$repo/blobs/$d"
		cmp "$REG_BODY_FILE" "$BATS_TEST_TMPDIR/$f"
	done
}

@test "wrong credentials are a quick 503 UNAVAILABLE that says so, and the log names the store's answer" {
	local repo t0
	repo=$(new_repo)
	cgi_config
	sed -i 's/^secret_key = .*/secret_key = not-the-secret/' "$BERTH_CONFIG"
	t0=$SECONDS
	reg POST "/v2/$repo/blobs/uploads/" -d ''
	assert_error 503 UNAVAILABLE
	reg GET "/v2/$repo/tags/list"
	assert_error 503 UNAVAILABLE
	[ $((SECONDS - t0)) -lt 10 ]
	# What went wrong is in the log, not in the answer to the client.
	run grep -c 'storage refused the request (403 SignatureDoesNotMatch): check the \[s3\] settings' \
		"$BATS_TEST_TMPDIR/berth.log"
	assert [ "$output" -ge 2 ]
	# The secret is never logged.
	run grep -c "$BERTH_S3_SECRET_KEY" "$BATS_TEST_TMPDIR/berth.log"
	assert_output 0
}

@test "a bucket that does not exist is a 503 that points at the settings" {
	cgi_config
	sed -i 's/^bucket = .*/bucket = no-such-bucket/' "$BERTH_CONFIG"
	reg GET "/v2/$(new_repo)/tags/list"
	assert_error 503 UNAVAILABLE
	run -0 grep -c '404 NoSuchBucket' "$BATS_TEST_TMPDIR/berth.log"
}

@test "radosgw stopped mid-upload: 503 after bounded retries, nothing visible, and the upload goes on once it is back" {
	local repo f d t0
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/c0" $((2 * MIB))
	random_file "$BATS_TEST_TMPDIR/c1" $((6 * MIB))
	cat "$BATS_TEST_TMPDIR/c0" "$BATS_TEST_TMPDIR/c1" >"$BATS_TEST_TMPDIR/all"
	d=$(digest_of "$BATS_TEST_TMPDIR/all")
	via A
	start_upload "$repo"
	patch_chunk "$BATS_TEST_TMPDIR/c0" 0
	assert_status 202
	stop_rgw "$BERTH_CEPH_STATE"
	touch "$BATS_TEST_TMPDIR/rgw-stopped"
	t0=$SECONDS
	patch_chunk "$BATS_TEST_TMPDIR/c1" $((2 * MIB))
	assert_error 503 UNAVAILABLE
	[ $((SECONDS - t0)) -lt 20 ]
	via B
	reg GET "/v2/$repo/blobs/$d"
	assert_error 503 UNAVAILABLE
	start_rgw "$BERTH_CEPH_STATE"
	rm "$BATS_TEST_TMPDIR/rgw-stopped"
	reg GET "/v2/$repo/blobs/$d"
	assert_error 404 BLOB_UNKNOWN
	# The failed chunk was not taken: the upload is still at 2 MiB.
	reg GET "$UPLOAD"
	assert_status 204
	assert_header Range "^0-$((2 * MIB - 1))\$"
	patch_chunk "$BATS_TEST_TMPDIR/c1" $((2 * MIB))
	assert_status 202
	finish_upload "$d"
	assert_status 201
	via A
	reg GET "/v2/$repo/blobs/$d"
	assert_status 200
	cmp "$REG_BODY_FILE" "$BATS_TEST_TMPDIR/all"
	run grep -c "s3 HEAD .*: Couldn't connect to server after 5 attempts" "$BERTH_STORE/../berth.log"
	assert [ "$output" -ge 1 ]
}

@test "a blob above copy_cutoff reaches its content address by a copy in parts" {
	local repo d
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/b" $((12 * MIB))
	cgi_config '[s3]' 'copy_cutoff = 5242880' 'part_size = 5242880'
	d=$(put_blob "$repo" "$BATS_TEST_TMPDIR/b")
	reg GET "/v2/$repo/blobs/$d"
	assert_status 200
	cmp "$REG_BODY_FILE" "$BATS_TEST_TMPDIR/b"
	run -0 object_headers "blobs/sha256/${d:7:2}/${d#sha256:}/data"
	assert_output --regexp $'[cC]ontent-[lL]ength: 12582912\r'
	# A multipart object's ETag ends in -<parts>: 3 parts of at most 5 MiB.
	assert_output --regexp '[eE][tT]ag: "[0-9a-f]+-3"'
}

@test "a finished upload leaves no multipart upload behind, a cancelled one is aborted" {
	local repo f
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/c" $((6 * MIB))
	cgi_config
	start_upload "$repo"
	patch_chunk "$BATS_TEST_TMPDIR/c" 0
	assert_status 202
	run -0 s3_curl -sf "/$BERTH_S3_BUCKET?uploads&prefix=$BERTH_S3_PREFIX/"
	assert_output --partial "<Key>$BERTH_S3_PREFIX/repositories/$repo/_uploads/$UPLOAD_ID/data</Key>"
	reg DELETE "$UPLOAD"
	assert_status 204
	run -0 s3_curl -sf "/$BERTH_S3_BUCKET?uploads&prefix=$BERTH_S3_PREFIX/"
	refute_output --partial '<Upload>'
	refute [ -e "$(upload_dir "$repo" "$UPLOAD_ID")" ]
}

@test "finishing an upload never reads its data back through berth (parts and tail are copied in the store)" {
	local repo d
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/c0" $((6 * MIB)) # one part
	random_file "$BATS_TEST_TMPDIR/c1" $((2 * MIB)) # a tail
	cat "$BATS_TEST_TMPDIR/c0" "$BATS_TEST_TMPDIR/c1" >"$BATS_TEST_TMPDIR/all"
	d=$(digest_of "$BATS_TEST_TMPDIR/all")
	via A
	start_upload "$repo"
	patch_chunk "$BATS_TEST_TMPDIR/c0" 0
	assert_status 202
	patch_chunk "$BATS_TEST_TMPDIR/c1" $((6 * MIB))
	assert_status 202
	finish_upload "$d"
	assert_status 201
	# The blob is complete where it belongs ...
	rgw_ops_grep "\"PUT /$BERTH_S3_BUCKET/lighttpd-s3/blobs/sha256/${d:7:2}/${d#sha256:}/data HTTP/1.1\",\"http_status\":\"200\"" >/dev/null ||
		fail "no copy to the blob's address"
	# ... and the upload's data (parts, tail) was never read (GET) by
	# berth; only its small state object is.
	run -0 rgw_ops_log "$BERTH_CEPH_STATE"
	refute_output --regexp "\"GET /$BERTH_S3_BUCKET/lighttpd-s3/repositories/$repo/_uploads/[0-9a-f]+/data"
	reg GET "/v2/$repo/blobs/$d"
	cmp "$REG_BODY_FILE" "$BATS_TEST_TMPDIR/all"
}

@test "a store that stops answering (radosgw frozen) is a 503 after timeout and retries, not a hang" {
	local repo pid t0
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/b" 1000
	cgi_config
	sed -i 's/^timeout = .*/timeout = 2/; s/^retries = .*/retries = 1/' "$BERTH_CONFIG"
	pid=$(_ceph_pid "$BERTH_CEPH_STATE" rgw)
	[ -n "$pid" ] || fail "no radosgw PID"
	kill -STOP "$pid"
	touch "$BATS_TEST_TMPDIR/rgw-frozen"
	t0=$SECONDS
	reg POST "/v2/$repo/blobs/uploads/?digest=$(digest_of "$BATS_TEST_TMPDIR/b")" \
		-f "$BATS_TEST_TMPDIR/b"
	kill -CONT "$pid"
	rm "$BATS_TEST_TMPDIR/rgw-frozen"
	assert_error 503 UNAVAILABLE
	# Two attempts of at most 2 s without progress, and a backoff.
	[ $((SECONDS - t0)) -lt 12 ] || fail "took $((SECONDS - t0)) s"
	run -0 grep -c 'Timeout was reached; retry 1 of 1' "$BATS_TEST_TMPDIR/berth.log"
	# Awake again, the same request works.
	push_blob "$repo" "$BATS_TEST_TMPDIR/b"
}
