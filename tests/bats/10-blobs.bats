#!/usr/bin/env bats
# 10-blobs.bats: GET/HEAD/DELETE /v2/<name>/blobs/<digest>, Range requests

load helpers
load lib_blobs

# A repository holding one 100-byte blob: sets REPO, BLOB (file), DIGEST.
# Blobs are pushed with POST + PUT so that these tests do not depend on the
# single-POST upload, which 20-uploads covers.
with_blob() {
	REPO=$(new_repo)
	BLOB=$BATS_TEST_TMPDIR/blob
	random_file "$BLOB" 100
	DIGEST=$(put_blob "$REPO" "$BLOB")
}

ZERO_DIGEST=sha256:$(printf '%064d' 0)

@test "HEAD of a blob is 200 with its size and digest and no body" {
	with_blob
	reg HEAD "/v2/$REPO/blobs/$DIGEST"
	assert_status 200
	assert_header_eq Content-Length 100
	assert_header_eq Docker-Content-Digest "$DIGEST"
	assert_no_body
}

@test "HEAD of an unknown blob is 404" {
	REPO=$(new_repo)
	reg HEAD "/v2/$REPO/blobs/$ZERO_DIGEST"
	assert_status 404
	assert_no_body
}

@test "GET of a blob returns its exact bytes as application/octet-stream" {
	with_blob
	reg GET "/v2/$REPO/blobs/$DIGEST"
	assert_status 200
	assert_header Content-Type '^application/octet-stream$'
	assert_header_eq Content-Length 100
	assert_header_eq Docker-Content-Digest "$DIGEST"
	assert_body_is "$BLOB"
}

@test "GET of a blob is binary-safe (every byte value, NUL, CR and LF)" {
	REPO=$(new_repo)
	BLOB=$BATS_TEST_TMPDIR/bytes
	# Each byte value twice, then a header-like line and trailing newlines.
	for i in 1 2; do
		perl -e 'print map { chr } 0 .. 255' >>"$BLOB"
	done
	printf '\r\n\r\nStatus: 500\r\n\n\n' >>"$BLOB"
	DIGEST=$(put_blob "$REPO" "$BLOB")
	reg GET "/v2/$REPO/blobs/$DIGEST"
	assert_status 200
	assert_header_eq Content-Length "$(stat -c %s "$BLOB")"
	assert_body_is "$BLOB"
}

@test "GET of an empty blob returns 200 with no bytes" {
	REPO=$(new_repo)
	BLOB=$BATS_TEST_TMPDIR/empty
	: >"$BLOB"
	DIGEST=$(put_blob "$REPO" "$BLOB")
	[ "$DIGEST" = sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ]
	reg GET "/v2/$REPO/blobs/$DIGEST"
	assert_status 200
	assert_header_eq Content-Length 0
	assert_header_eq Docker-Content-Digest "$DIGEST"
	assert_no_body
}

@test "GET of an unknown blob is 404 BLOB_UNKNOWN" {
	REPO=$(new_repo)
	reg GET "/v2/$REPO/blobs/$ZERO_DIGEST"
	assert_error 404 BLOB_UNKNOWN
}

@test "a blob pushed to one repository is not visible in another" {
	with_blob
	other=$(new_repo other)
	reg GET "/v2/$other/blobs/$DIGEST"
	assert_error 404 BLOB_UNKNOWN
	reg HEAD "/v2/$other/blobs/$DIGEST"
	assert_status 404
}

@test "a blob is stored once under blobs/ and linked into its repository" {
	with_blob
	run cmp "$BLOB" "$(blob_data_path "$DIGEST")"
	assert_success
	[ -e "$(layer_link_path "$REPO" "$DIGEST")" ]
}

@test "Range bytes=0-9 is 206 with the first 10 bytes" {
	with_blob
	slice_file "$BLOB" 0 10 "$BATS_TEST_TMPDIR/want"
	reg GET "/v2/$REPO/blobs/$DIGEST" -H 'Range: bytes=0-9'
	assert_status 206
	assert_header_eq Content-Range 'bytes 0-9/100'
	assert_header_eq Content-Length 10
	assert_body_is "$BATS_TEST_TMPDIR/want"
}

@test "Range bytes=10- is 206 with the rest of the blob" {
	with_blob
	slice_file "$BLOB" 10 90 "$BATS_TEST_TMPDIR/want"
	reg GET "/v2/$REPO/blobs/$DIGEST" -H 'Range: bytes=10-'
	assert_status 206
	assert_header_eq Content-Range 'bytes 10-99/100'
	assert_header_eq Content-Length 90
	assert_body_is "$BATS_TEST_TMPDIR/want"
}

@test "Range bytes=-5 is 206 with the last 5 bytes" {
	with_blob
	slice_file "$BLOB" 95 5 "$BATS_TEST_TMPDIR/want"
	reg GET "/v2/$REPO/blobs/$DIGEST" -H 'Range: bytes=-5'
	assert_status 206
	assert_header_eq Content-Range 'bytes 95-99/100'
	assert_header_eq Content-Length 5
	assert_body_is "$BATS_TEST_TMPDIR/want"
}

@test "Range with an end past the blob is cut at the last byte" {
	with_blob
	slice_file "$BLOB" 90 10 "$BATS_TEST_TMPDIR/want"
	reg GET "/v2/$REPO/blobs/$DIGEST" -H 'Range: bytes=90-1000'
	assert_status 206
	assert_header_eq Content-Range 'bytes 90-99/100'
	assert_header_eq Content-Length 10
	assert_body_is "$BATS_TEST_TMPDIR/want"
}

@test "Range starting at or past the end is 416 with Content-Range bytes */size" {
	with_blob
	reg GET "/v2/$REPO/blobs/$DIGEST" -H 'Range: bytes=100-'
	assert_status 416
	assert_header_eq Content-Range 'bytes */100'
	reg GET "/v2/$REPO/blobs/$DIGEST" -H 'Range: bytes=5000-5009'
	assert_status 416
	assert_header_eq Content-Range 'bytes */100'
}

@test "a malformed Range header is ignored and the whole blob is sent" {
	with_blob
	reg GET "/v2/$REPO/blobs/$DIGEST" -H 'Range: bytes=abc-xyz'
	assert_status 200
	refute_header Content-Range
	assert_header_eq Content-Length 100
	assert_body_is "$BLOB"
}

@test "an inverted Range (last before first) is ignored and the whole blob is sent" {
	with_blob
	reg GET "/v2/$REPO/blobs/$DIGEST" -H 'Range: bytes=9-3'
	assert_status 200
	refute_header Content-Range
	assert_header_eq Content-Length 100
	assert_body_is "$BLOB"
}

@test "DELETE of a blob is 202, then HEAD and GET are 404" {
	with_blob
	reg DELETE "/v2/$REPO/blobs/$DIGEST"
	assert_status 202
	reg HEAD "/v2/$REPO/blobs/$DIGEST"
	assert_status 404
	reg GET "/v2/$REPO/blobs/$DIGEST"
	assert_error 404 BLOB_UNKNOWN
}

@test "DELETE of an unknown blob is 404 BLOB_UNKNOWN" {
	REPO=$(new_repo)
	reg DELETE "/v2/$REPO/blobs/$ZERO_DIGEST"
	assert_error 404 BLOB_UNKNOWN
}

@test "DELETE of a blob in one repository leaves it in another" {
	with_blob
	other=$(new_repo other)
	put_blob "$other" "$BLOB" >/dev/null
	reg DELETE "/v2/$REPO/blobs/$DIGEST"
	assert_status 202
	reg GET "/v2/$other/blobs/$DIGEST"
	assert_status 200
	assert_body_is "$BLOB"
}

@test "DELETE through a repository that does not have the blob is 404 and deletes nothing" {
	with_blob
	other=$(new_repo other)
	reg DELETE "/v2/$other/blobs/$DIGEST"
	assert_error 404 BLOB_UNKNOWN
	reg GET "/v2/$REPO/blobs/$DIGEST"
	assert_status 200
	assert_body_is "$BLOB"
}

@test "an uppercase repository name is 400 NAME_INVALID" {
	reg GET "/v2/t/Upper/blobs/$ZERO_DIGEST"
	assert_error 400 NAME_INVALID
}

@test "a repository name with '..' is 400 NAME_INVALID" {
	# A bare ".." component is resolved by curl and web servers before it
	# reaches berth; these spellings are not, and the grammar rejects them.
	REPO=$(new_repo)
	reg GET "/v2/$REPO/a..b/blobs/$ZERO_DIGEST"
	assert_error 400 NAME_INVALID
	reg GET "/v2/$REPO/..a/blobs/$ZERO_DIGEST"
	assert_error 400 NAME_INVALID
}

@test "a repository name with an empty component (a//b) is 400 NAME_INVALID" {
	reg GET "/v2/t//b/blobs/$ZERO_DIGEST"
	assert_name_invalid_or_merged BLOB_UNKNOWN
}

@test "a repository name with a trailing slash is 400 NAME_INVALID" {
	reg GET "/v2/t/b//blobs/$ZERO_DIGEST"
	assert_name_invalid_or_merged BLOB_UNKNOWN
}

@test "a digest with uppercase hex is 400 DIGEST_INVALID" {
	REPO=$(new_repo)
	reg GET "/v2/$REPO/blobs/sha256:$(printf '%064d' 0 | tr 0 A)"
	assert_error 400 DIGEST_INVALID
}

@test "a digest with an unsupported algorithm (md5) is 400 DIGEST_INVALID" {
	REPO=$(new_repo)
	reg GET "/v2/$REPO/blobs/md5:d41d8cd98f00b204e9800998ecf8427e"
	assert_error 400 DIGEST_INVALID
}

@test "a sha256 digest of 63 hex digits is 400 DIGEST_INVALID" {
	REPO=$(new_repo)
	reg GET "/v2/$REPO/blobs/sha256:$(printf '%063d' 0)"
	assert_error 400 DIGEST_INVALID
}

@test "DELETE with an invalid digest is 400 DIGEST_INVALID" {
	REPO=$(new_repo)
	reg DELETE "/v2/$REPO/blobs/sha256:$(printf '%065d' 0)"
	assert_error 400 DIGEST_INVALID
}
