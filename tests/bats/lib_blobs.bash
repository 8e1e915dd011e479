# lib_blobs.bash: helpers for the blob and upload tests (load with `load lib_blobs`)
# shellcheck shell=bash
#
# The upload helpers follow the Location the registry returns, as the spec
# tells clients to: it is opaque, may be an absolute URL and may carry a
# query.  Tests that pin down berth's own Location format assert it
# explicitly.

# The path (and query) of the Location header of the last response; an
# absolute URL loses its scheme and authority.
location_path() {
	local l
	l=$(header Location)
	if [[ "$l" =~ ^[A-Za-z][A-Za-z0-9+.-]*://[^/]*(/.*)$ ]]; then
		l=${BASH_REMATCH[1]}
	fi
	printf '%s' "$l"
}

# with_query URL PARAM: URL with PARAM (already encoded) added to its query.
with_query() {
	if [[ "$1" == *\?* ]]; then
		printf '%s&%s' "$1" "$2"
	else
		printf '%s?%s' "$1" "$2"
	fi
}

# start_upload REPO: POST a new upload session.  Sets UPLOAD (where to send
# the next request) and UPLOAD_ID.  Fails loudly unless the answer is 202.
start_upload() {
	reg POST "/v2/$1/blobs/uploads/" -d ''
	if [ "$REG_STATUS" != 202 ]; then
		echo "start_upload $1: status $REG_STATUS: $REG_BODY" >&2
		return 1
	fi
	UPLOAD=$(location_path)
	# shellcheck disable=SC2034 # read by the tests
	UPLOAD_ID=$(header Docker-Upload-UUID)
}

# follow_upload: continue at the Location of the last (202) response.
follow_upload() {
	UPLOAD=$(location_path)
}

# patch_chunk FILE [FIRST]: PATCH FILE to $UPLOAD.  With FIRST, send
# Content-Range FIRST-(FIRST+size-1); without, send no Content-Range.
# Follows the new Location after a 202; the caller asserts the result.
patch_chunk() {
	local file=$1 size
	local -a range=()
	size=$(stat -c %s "$file")
	if [ $# -ge 2 ]; then
		range=(-H "Content-Range: $2-$(($2 + size - 1))")
	fi
	reg PATCH "$UPLOAD" -f "$file" "${range[@]}" \
		-H 'Content-Type: application/octet-stream'
	if [ "$REG_STATUS" = 202 ]; then
		follow_upload
	fi
}

# finish_upload DIGEST [FILE]: PUT $UPLOAD?digest=DIGEST, with FILE as the
# final chunk or with an empty body.
finish_upload() {
	local -a body=(-d '')
	[ $# -ge 2 ] && body=(-f "$2")
	reg PUT "$(with_query "$UPLOAD" "digest=$1")" "${body[@]}" \
		-H 'Content-Type: application/octet-stream'
}

# put_blob REPO FILE: push FILE with POST and PUT ?digest= (the upload flow
# every registry has; push_blob uses the single-POST form); prints the
# digest.  Fails loudly.
put_blob() {
	local repo=$1 file=$2 d
	d=$(digest_of "$file")
	start_upload "$repo" || return 1
	finish_upload "$d" "$file"
	if [ "$REG_STATUS" != 201 ]; then
		echo "put_blob $repo $file: status $REG_STATUS: $REG_BODY" >&2
		return 1
	fi
	printf '%s' "$d"
}

# sha512 digest ("sha512:...") of a file.
digest512_of() {
	printf 'sha512:%s' "$(sha512sum "$1" | cut -d' ' -f1)"
}

# slice_file SRC OFFSET LENGTH DEST: LENGTH bytes of SRC from OFFSET.
slice_file() {
	tail -c +"$(($2 + 1))" "$1" | head -c "$3" >"$4"
}

# The file holding a blob's bytes in the storage tree.
blob_data_path() {
	local alg=${1%%:*} hex=${1#*:}
	store_path "$(printf 'blobs/%s/%s/%s/data' "$alg" "${hex:0:2}" "$hex")"
}

# The link that makes a blob visible in a repository.
layer_link_path() {
	store_path "$(printf 'repositories/%s/_layers/%s/%s' "$1" "${2%%:*}" "${2#*:}")"
}

# The directory of an upload session: upload_dir REPO [ID].
upload_dir() {
	store_path "$(printf 'repositories/%s/_uploads%s' "$1" "${2:+/$2}")"
}

# assert_header_eq NAME VALUE: the header exists and is exactly VALUE.
assert_header_eq() {
	assert_header "$1"
	local v
	v=$(header "$1")
	if [ "$v" != "$2" ]; then
		batslib_print_kv_single_or_multi 8 header "$1" expected "$2" actual "$v" |
			batslib_decorate 'header has the wrong value' | fail
	fi
}

# assert_upload_range N: the Range header of an upload holding N bytes
# (0-0 for an empty one, as the spec has it).
assert_upload_range() {
	if [ "$1" -eq 0 ]; then
		assert_header_eq Range 0-0
	else
		assert_header_eq Range "0-$(($1 - 1))"
	fi
}

# assert_body_is FILE: the body of the last response is byte for byte FILE.
assert_body_is() {
	if ! cmp -s "$1" "$REG_BODY_FILE"; then
		batslib_print_kv_single 8 expected "$(stat -c %s "$1") bytes" \
			actual "$(stat -c %s "$REG_BODY_FILE") bytes" \
			first-difference "$(cmp "$1" "$REG_BODY_FILE" 2>&1 | head -1)" |
			batslib_decorate 'body differs' | fail
	fi
}

# assert_no_body: the last response had an empty body.
assert_no_body() {
	if [ -s "$REG_BODY_FILE" ]; then
		batslib_print_kv_single_or_multi 8 body "$REG_BODY" |
			batslib_decorate 'response has a body' | fail
	fi
}

# assert_upload_location REPO: Location is berth's upload URL for REPO,
# /v2/REPO/blobs/uploads/<32 lowercase hex>, and names Docker-Upload-UUID.
assert_upload_location() {
	local id
	assert_header Location "^/v2/$1/blobs/uploads/[0-9a-f]{32}\$"
	id=$(header Location)
	id=${id##*/}
	assert_header_eq Docker-Upload-UUID "$id"
}

# assert_name_invalid_or_merged CODE: the answer to a name with an empty
# component ("a//b", "a/b/") is 400 NAME_INVALID.  In http mode lighttpd
# and Apache merge "//" before berth sees the path, so the request names
# a valid repository instead; then CODE (e.g. BLOB_UNKNOWN) with 404 is
# right too.
assert_name_invalid_or_merged() {
	if [ "$BERTH_MODE" = http ] && [ "$REG_STATUS" = 404 ]; then
		assert_error 404 "$1"
	else
		assert_error 400 NAME_INVALID
	fi
}
