#!/usr/bin/env bats
# 20-uploads.bats: POST/PATCH/PUT/GET/DELETE /v2/<name>/blobs/uploads/, mounts

load helpers
load lib_blobs

ZERO_DIGEST=sha256:$(printf '%064d' 0)

# A 100-byte file at $BATS_TEST_TMPDIR/blob split into part1 (first 40
# bytes) and part2 (the other 60); sets BLOB, PART1, PART2, DIGEST.
with_parts() {
	BLOB=$BATS_TEST_TMPDIR/blob
	PART1=$BATS_TEST_TMPDIR/part1
	PART2=$BATS_TEST_TMPDIR/part2
	random_file "$BLOB" 100
	slice_file "$BLOB" 0 40 "$PART1"
	slice_file "$BLOB" 40 60 "$PART2"
	DIGEST=$(digest_of "$BLOB")
}

# The tmpfs store of the tmpfs upload test, when it made one.
teardown() {
	local shm
	if [ -f "$BATS_TEST_TMPDIR/shm" ]; then
		shm=$(cat "$BATS_TEST_TMPDIR/shm")
		case "$shm" in
		/dev/shm/berth-test.*) rm -rf -- "$shm" ;;
		esac
	fi
}

# ---- starting an upload

@test "POST starts an upload: 202, Location, Docker-Upload-UUID, Range 0-0" {
	repo=$(new_repo)
	reg POST "/v2/$repo/blobs/uploads/" -d ''
	assert_status 202
	assert_header_eq Content-Length 0
	assert_upload_range 0
	assert_upload_location "$repo"
}

@test "two POSTs start two different uploads" {
	repo=$(new_repo)
	start_upload "$repo"
	first=$UPLOAD_ID
	start_upload "$repo"
	[ -n "$first" ] && [ -n "$UPLOAD_ID" ]
	[ "$first" != "$UPLOAD_ID" ]
}

@test "POST creates the upload directory in the store" {
	repo=$(new_repo)
	start_upload "$repo"
	[ -d "$(upload_dir "$repo" "$UPLOAD_ID")" ]
}

@test "POST with an invalid repository name is 400 NAME_INVALID" {
	reg POST "/v2/t/Bad/blobs/uploads/" -d ''
	assert_error 400 NAME_INVALID
}

# ---- upload status

@test "GET of a new upload is 204 with Range 0-0" {
	repo=$(new_repo)
	start_upload "$repo"
	reg GET "$UPLOAD"
	assert_status 204
	assert_upload_range 0
	assert_header_eq Docker-Upload-UUID "$UPLOAD_ID"
	assert_no_body
	assert_header_eq Location "/v2/$repo/blobs/uploads/$UPLOAD_ID"
}

@test "GET of an upload after a chunk is 204 with Range 0-<offset-1>" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	patch_chunk "$PART1" 0
	assert_status 202
	reg GET "$UPLOAD"
	assert_status 204
	assert_upload_range 40
	assert_header_eq Docker-Upload-UUID "$UPLOAD_ID"
	assert_header_eq Location "/v2/$repo/blobs/uploads/$UPLOAD_ID"
}

@test "GET of an unknown upload id is 404 BLOB_UPLOAD_UNKNOWN" {
	repo=$(new_repo)
	reg GET "/v2/$repo/blobs/uploads/0123456789abcdef0123456789abcdef"
	assert_error 404 BLOB_UPLOAD_UNKNOWN
}

@test "GET of a malformed upload id is 404 BLOB_UPLOAD_UNKNOWN" {
	repo=$(new_repo)
	start_upload "$repo"
	reg GET "/v2/$repo/blobs/uploads/not-an-id"
	assert_error 404 BLOB_UPLOAD_UNKNOWN
	reg GET "/v2/$repo/blobs/uploads/${UPLOAD_ID^^}"
	assert_error 404 BLOB_UPLOAD_UNKNOWN
	reg GET "/v2/$repo/blobs/uploads/${UPLOAD_ID}0"
	assert_error 404 BLOB_UPLOAD_UNKNOWN
	reg GET "/v2/$repo/blobs/uploads/0123456789abcdef0123456789abcdeg"
	assert_error 404 BLOB_UPLOAD_UNKNOWN
}

@test "an upload of one repository is unknown in another" {
	repo=$(new_repo a)
	other=$(new_repo b)
	start_upload "$repo"
	reg GET "${UPLOAD/"/v2/$repo/"/"/v2/$other/"}"
	assert_error 404 BLOB_UPLOAD_UNKNOWN
}

# ---- chunks

@test "PATCH with Content-Range is 202 with Location, Docker-Upload-UUID, Range" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	patch_chunk "$PART1" 0
	assert_status 202
	assert_upload_range 40
	assert_header_eq Docker-Upload-UUID "$UPLOAD_ID"
	location=$(header Location)
	patch_chunk "$PART2" 40
	assert_status 202
	assert_upload_range 100
	assert_equal "$location" "/v2/$repo/blobs/uploads/$UPLOAD_ID"
}

@test "PATCH without Content-Range appends at the current offset" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	patch_chunk "$PART1"
	assert_status 202
	assert_upload_range 40
	patch_chunk "$PART2"
	assert_status 202
	assert_upload_range 100
	finish_upload "$DIGEST"
	assert_status 201
	reg GET "/v2/$repo/blobs/$DIGEST"
	assert_body_is "$BLOB"
}

@test "PATCH past the current offset is 416 RANGE_INVALID" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	patch_chunk "$PART1" 0
	assert_status 202
	patch_chunk "$PART2" 41
	assert_error 416 RANGE_INVALID
}

@test "PATCH before the current offset (a resent chunk) is 416 RANGE_INVALID" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	patch_chunk "$PART1" 0
	assert_status 202
	patch_chunk "$PART1" 0
	assert_error 416 RANGE_INVALID
}

@test "a rejected chunk leaves the upload as it was and it can go on" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	patch_chunk "$PART1" 0
	assert_status 202
	patch_chunk "$PART2" 39
	assert_status 416
	reg GET "$UPLOAD"
	assert_status 204
	assert_upload_range 40
	patch_chunk "$PART2" 40
	assert_status 202
	assert_upload_range 100
	finish_upload "$DIGEST"
	assert_status 201
	reg GET "/v2/$repo/blobs/$DIGEST"
	assert_body_is "$BLOB"
}

@test "PATCH whose Content-Range disagrees with its length is an error and stores nothing" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	reg PATCH "$UPLOAD" -f "$PART1" -H 'Content-Range: 0-99' \
		-H 'Content-Type: application/octet-stream'
	[[ "$REG_STATUS" == 400 || "$REG_STATUS" == 416 ]] || assert_status '400 or 416'
	assert_json '.errors[0].code | type == "string"'
	reg GET "$UPLOAD"
	assert_status 204
	assert_upload_range 0
}

@test "PATCH with a malformed Content-Range is an error and stores nothing" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	for range in 0-x bytes=0-39 39-0; do
		reg PATCH "$UPLOAD" -f "$PART1" -H "Content-Range: $range" \
			-H 'Content-Type: application/octet-stream'
		[[ "$REG_STATUS" == 400 || "$REG_STATUS" == 416 ]] || assert_status '400 or 416'
		assert_json '.errors[0].code | type == "string"'
	done
	reg GET "$UPLOAD"
	assert_status 204
	assert_upload_range 0
}

# ---- finishing an upload

@test "PUT ?digest= with an empty body finishes a chunked upload: 201, Location, digest" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	patch_chunk "$PART1" 0
	patch_chunk "$PART2" 40
	assert_status 202
	finish_upload "$DIGEST"
	assert_status 201
	assert_header_eq Docker-Content-Digest "$DIGEST"
	assert_header_eq Location "/v2/$repo/blobs/$DIGEST"
}

@test "PUT ?digest= with a final chunk stores all the bytes" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	patch_chunk "$PART1" 0
	assert_status 202
	finish_upload "$DIGEST" "$PART2"
	assert_status 201
	assert_header_eq Docker-Content-Digest "$DIGEST"
	reg GET "/v2/$repo/blobs/$DIGEST"
	assert_status 200
	assert_header_eq Content-Length 100
	assert_body_is "$BLOB"
}

@test "POST then PUT ?digest= with the whole body stores the blob" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	finish_upload "$DIGEST" "$BLOB"
	assert_status 201
	assert_header_eq Docker-Content-Digest "$DIGEST"
	reg HEAD "/v2/$repo/blobs/$DIGEST"
	assert_status 200
	assert_header_eq Content-Length 100
}

@test "PUT accepts a percent-encoded digest parameter" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	finish_upload "${DIGEST/:/%3A}" "$BLOB"
	assert_status 201
	assert_header_eq Docker-Content-Digest "$DIGEST"
}

@test "a finished upload is gone: GET is 404 BLOB_UPLOAD_UNKNOWN" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	session=$UPLOAD
	finish_upload "$DIGEST" "$BLOB"
	assert_status 201
	reg GET "$session"
	assert_error 404 BLOB_UPLOAD_UNKNOWN
	reg PATCH "$session" -f "$PART1" -H 'Content-Type: application/octet-stream'
	assert_error 404 BLOB_UPLOAD_UNKNOWN
}

@test "a finished upload leaves no upload directory and the blob in blobs/" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	finish_upload "$DIGEST" "$BLOB"
	assert_status 201
	[ ! -e "$(upload_dir "$repo" "$UPLOAD_ID")" ]
	run cmp "$BLOB" "$(blob_data_path "$DIGEST")"
	assert_success
}

@test "PUT with the wrong digest is 400 DIGEST_INVALID and stores nothing" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	patch_chunk "$PART1" 0
	assert_status 202
	wrong=$(digest_of "$PART1")
	finish_upload "$wrong" "$PART2"
	assert_error 400 DIGEST_INVALID
	reg HEAD "/v2/$repo/blobs/$wrong"
	assert_status 404
	reg HEAD "/v2/$repo/blobs/$DIGEST"
	assert_status 404
	[ ! -e "$(blob_data_path "$wrong")" ]
	[ ! -e "$(blob_data_path "$DIGEST")" ]
}

@test "PUT without a digest parameter is 400 DIGEST_INVALID" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	reg PUT "$UPLOAD" -f "$BLOB" -H 'Content-Type: application/octet-stream'
	assert_error 400 DIGEST_INVALID
	reg HEAD "/v2/$repo/blobs/$DIGEST"
	assert_status 404
}

@test "PUT with a malformed digest is 400 DIGEST_INVALID" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	finish_upload "sha256:$(printf '%063d' 0)" "$BLOB"
	assert_error 400 DIGEST_INVALID
	reg HEAD "/v2/$repo/blobs/$DIGEST"
	assert_status 404
}

@test "pushing a blob the repository already has is 201 again" {
	repo=$(new_repo)
	with_parts
	put_blob "$repo" "$BLOB" >/dev/null
	start_upload "$repo"
	finish_upload "$DIGEST" "$BLOB"
	assert_status 201
	assert_header_eq Docker-Content-Digest "$DIGEST"
	reg GET "/v2/$repo/blobs/$DIGEST"
	assert_body_is "$BLOB"
}

@test "a 20 MiB blob sent in three unequal chunks reads back byte for byte" {
	repo=$(new_repo)
	big=$BATS_TEST_TMPDIR/big
	random_file "$big" $((20 * 1024 * 1024))
	slice_file "$big" 0 7340033 "$BATS_TEST_TMPDIR/c1"
	slice_file "$big" 7340033 3145727 "$BATS_TEST_TMPDIR/c2"
	slice_file "$big" 10485760 10485760 "$BATS_TEST_TMPDIR/c3"
	d=$(digest_of "$big")
	start_upload "$repo"
	patch_chunk "$BATS_TEST_TMPDIR/c1" 0
	assert_status 202
	assert_upload_range 7340033
	patch_chunk "$BATS_TEST_TMPDIR/c2" 7340033
	assert_status 202
	assert_upload_range 10485760
	patch_chunk "$BATS_TEST_TMPDIR/c3" 10485760
	assert_status 202
	assert_upload_range 20971520
	finish_upload "$d"
	assert_status 201
	reg GET "/v2/$repo/blobs/$d"
	assert_status 200
	assert_header_eq Content-Length 20971520
	assert_body_is "$big"
}

@test "chunks of every alignment (1 byte to 5 MiB + 3) are stored byte for byte" {
	# Uploads go past the page cache with O_DIRECT where the chunk is
	# aligned, through it at unaligned starts and ends ([storage]
	# direct_io): sizes around the 4096-byte boundaries hit every split.
	repo=$(new_repo)
	big=$BATS_TEST_TMPDIR/big
	sizes=(1 4095 4097 1048575 3000000 $((5 * 1048576 + 3)) 4096 1)
	total=0
	for n in "${sizes[@]}"; do total=$((total + n)); done
	random_file "$big" "$total"
	d=$(digest_of "$big")
	start_upload "$repo"
	off=0
	for n in "${sizes[@]}"; do
		slice_file "$big" "$off" "$n" "$BATS_TEST_TMPDIR/c"
		patch_chunk "$BATS_TEST_TMPDIR/c" "$off"
		assert_status 202
		off=$((off + n))
		assert_upload_range "$off"
	done
	finish_upload "$d"
	assert_status 201
	cmp "$(blob_data_path "$d")" "$big" || fail "stored bytes differ"
	reg GET "/v2/$repo/blobs/$d"
	assert_status 200
	assert_body_is "$big"
}

# only_cgi_filesystem WHY: skip unless the programs run here as CGI over the
# filesystem driver (the test looks at this process's page cache and files).
only_cgi_filesystem() {
	[ "$BERTH_MODE" = cgi ] && [ "${BERTH_DRIVER:-filesystem}" = filesystem ] ||
		skip "$1: cgi mode, filesystem driver"
}

@test "a large upload leaves the page cache alone; direct_io = false fills it" {
	only_cgi_filesystem "reads the page cache of the stored file"
	[ "$(stat -f -c %T "$BERTH_STORE")" != tmpfs ] ||
		skip "the store is on tmpfs, which has no O_DIRECT"
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/a" $((16 * 1048576))
	d=$(push_blob "$repo" "$BATS_TEST_TMPDIR/a")
	cached=$(fincore --bytes --noheadings --output RES "$(blob_data_path "$d")")
	[ "$cached" -le 65536 ] ||
		fail "direct_io = true (default): $cached bytes of the blob in the page cache"
	cmp "$(blob_data_path "$d")" "$BATS_TEST_TMPDIR/a" || fail "stored bytes differ"

	write_config '[storage]' 'direct_io = false'
	random_file "$BATS_TEST_TMPDIR/b" $((16 * 1048576))
	d=$(push_blob "$repo" "$BATS_TEST_TMPDIR/b")
	cached=$(fincore --bytes --noheadings --output RES "$(blob_data_path "$d")")
	[ "$cached" -ge $((15 * 1048576)) ] ||
		fail "direct_io = false: only $cached bytes of the blob in the page cache"
}

# tmpfs refuses O_DIRECT before Linux 6.6 (berth then writes through the
# page cache) and takes it as buffered I/O since: either way the store works.
@test "uploads to a store on tmpfs are stored byte for byte" {
	only_cgi_filesystem "needs a store of its own on tmpfs"
	[ "$(stat -f -c %T /dev/shm)" = tmpfs ] || skip "/dev/shm is not a tmpfs here"
	BERTH_CGI_STORE=$(mktemp -d /dev/shm/berth-test.XXXXXX)
	printf '%s\n' "$BERTH_CGI_STORE" >"$BATS_TEST_TMPDIR/shm"
	write_config
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/a" $((3 * 1048576 + 5))
	slice_file "$BATS_TEST_TMPDIR/a" 0 1048577 "$BATS_TEST_TMPDIR/c1"
	slice_file "$BATS_TEST_TMPDIR/a" 1048577 $((2 * 1048576 + 4)) "$BATS_TEST_TMPDIR/c2"
	d=$(digest_of "$BATS_TEST_TMPDIR/a")
	start_upload "$repo"
	patch_chunk "$BATS_TEST_TMPDIR/c1" 0
	assert_status 202
	finish_upload "$d" "$BATS_TEST_TMPDIR/c2"
	assert_status 201
	cmp "$BERTH_CGI_STORE/blobs/sha256/${d:7:2}/${d#sha256:}/data" "$BATS_TEST_TMPDIR/a" ||
		fail "stored bytes differ"
}

# ---- monolithic POST

@test "POST ?digest= with the whole body is 201 with Location and digest" {
	repo=$(new_repo)
	with_parts
	reg POST "/v2/$repo/blobs/uploads/?digest=$DIGEST" -f "$BLOB" \
		-H 'Content-Type: application/octet-stream'
	assert_status 201
	assert_header_eq Docker-Content-Digest "$DIGEST"
	assert_header_eq Location "/v2/$repo/blobs/$DIGEST"
	reg GET "/v2/$repo/blobs/$DIGEST"
	assert_status 200
	assert_body_is "$BLOB"
}

@test "POST ?digest= leaves no upload session behind" {
	repo=$(new_repo)
	with_parts
	push_blob "$repo" "$BLOB" >/dev/null
	run cmp "$BLOB" "$(blob_data_path "$DIGEST")"
	assert_success
	[ -z "$(ls -A "$(upload_dir "$repo")" 2>/dev/null)" ]
}

@test "POST ?digest= with the wrong digest is 400 DIGEST_INVALID and stores nothing" {
	repo=$(new_repo)
	with_parts
	reg POST "/v2/$repo/blobs/uploads/?digest=$ZERO_DIGEST" -f "$BLOB" \
		-H 'Content-Type: application/octet-stream'
	assert_error 400 DIGEST_INVALID
	reg HEAD "/v2/$repo/blobs/$ZERO_DIGEST"
	assert_status 404
	reg HEAD "/v2/$repo/blobs/$DIGEST"
	assert_status 404
	[ ! -e "$(blob_data_path "$ZERO_DIGEST")" ]
	[ ! -e "$(blob_data_path "$DIGEST")" ]
	[ -z "$(ls -A "$(upload_dir "$repo")" 2>/dev/null)" ]
}

@test "POST ?digest= with a malformed digest is 400 DIGEST_INVALID" {
	repo=$(new_repo)
	with_parts
	reg POST "/v2/$repo/blobs/uploads/?digest=sha256:xyz" -f "$BLOB" \
		-H 'Content-Type: application/octet-stream'
	assert_error 400 DIGEST_INVALID
	reg HEAD "/v2/$repo/blobs/$DIGEST"
	assert_status 404
}

@test "a sha512 digest works for a monolithic upload" {
	repo=$(new_repo)
	with_parts
	d=$(digest512_of "$BLOB")
	[[ "$d" =~ ^sha512:[0-9a-f]{128}$ ]]
	reg POST "/v2/$repo/blobs/uploads/?digest=$d" -f "$BLOB" \
		-H 'Content-Type: application/octet-stream'
	assert_status 201
	assert_header_eq Docker-Content-Digest "$d"
	assert_header_eq Location "/v2/$repo/blobs/$d"
	reg GET "/v2/$repo/blobs/$d"
	assert_status 200
	assert_header_eq Docker-Content-Digest "$d"
	assert_body_is "$BLOB"
	run cmp "$BLOB" "$(blob_data_path "$d")"
	assert_success
}

# ---- cross-repository mount

@test "POST ?mount=&from= of a blob in the other repository is 201" {
	src=$(new_repo src)
	dst=$(new_repo dst)
	with_parts
	put_blob "$src" "$BLOB" >/dev/null
	reg POST "/v2/$dst/blobs/uploads/?mount=$DIGEST&from=$src" -d ''
	assert_status 201
	assert_header_eq Docker-Content-Digest "$DIGEST"
	location=$(header Location)
	reg GET "/v2/$dst/blobs/$DIGEST"
	assert_status 200
	assert_body_is "$BLOB"
	assert_equal "$location" "/v2/$dst/blobs/$DIGEST"
}

@test "POST ?mount=&from= accepts percent-encoded parameters" {
	src=$(new_repo src)
	dst=$(new_repo dst)
	with_parts
	put_blob "$src" "$BLOB" >/dev/null
	reg POST "/v2/$dst/blobs/uploads/?mount=${DIGEST/:/%3A}&from=${src//\//%2F}" -d ''
	assert_status 201
	assert_header_eq Docker-Content-Digest "$DIGEST"
	reg HEAD "/v2/$dst/blobs/$DIGEST"
	assert_status 200
}

@test "a mount from a repository without the blob falls back to a 202 upload" {
	src=$(new_repo src)
	dst=$(new_repo dst)
	elsewhere=$(new_repo elsewhere)
	with_parts
	# The blob is in the registry, but not in the repository named in from.
	put_blob "$elsewhere" "$BLOB" >/dev/null
	put_blob "$src" "$PART1" >/dev/null
	reg POST "/v2/$dst/blobs/uploads/?mount=$DIGEST&from=$src" -d ''
	assert_status 202
	assert_upload_range 0
	location=$(header Location)
	uuid=$(header Docker-Upload-UUID)
	follow_upload
	reg HEAD "/v2/$dst/blobs/$DIGEST"
	assert_status 404
	finish_upload "$DIGEST" "$BLOB"
	assert_status 201
	assert_regex "$location" "^/v2/$dst/blobs/uploads/[0-9a-f]{32}\$"
	assert_equal "${location##*/}" "$uuid"
}

@test "a mount with an invalid from name falls back to a 202 upload" {
	src=$(new_repo src)
	dst=$(new_repo dst)
	with_parts
	put_blob "$src" "$BLOB" >/dev/null
	reg POST "/v2/$dst/blobs/uploads/?mount=$DIGEST&from=${src^^}" -d ''
	assert_status 202
	assert_upload_range 0
	reg HEAD "/v2/$dst/blobs/$DIGEST"
	assert_status 404
	reg POST "/v2/$dst/blobs/uploads/?mount=$DIGEST&from=../$src" -d ''
	assert_status 202
	reg HEAD "/v2/$dst/blobs/$DIGEST"
	assert_status 404
}

@test "a mount from a repository that does not exist falls back to a 202 upload" {
	dst=$(new_repo dst)
	with_parts
	reg POST "/v2/$dst/blobs/uploads/?mount=$DIGEST&from=$(new_repo nowhere)" -d ''
	assert_status 202
	assert_upload_range 0
	follow_upload
	reg GET "$UPLOAD"
	assert_status 204
}

# ---- cancelling an upload

@test "DELETE of an upload is 204, then it is gone: GET and PUT are 404" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	patch_chunk "$PART1" 0
	assert_status 202
	reg DELETE "$UPLOAD"
	assert_status 204
	reg GET "$UPLOAD"
	assert_error 404 BLOB_UPLOAD_UNKNOWN
	finish_upload "$DIGEST" "$PART2"
	assert_error 404 BLOB_UPLOAD_UNKNOWN
	reg HEAD "/v2/$repo/blobs/$DIGEST"
	assert_status 404
}

@test "DELETE of an upload removes its directory from the store" {
	repo=$(new_repo)
	with_parts
	start_upload "$repo"
	patch_chunk "$PART1" 0
	assert_status 202
	[ -d "$(upload_dir "$repo" "$UPLOAD_ID")" ]
	reg DELETE "$UPLOAD"
	assert_status 204
	[ ! -e "$(upload_dir "$repo" "$UPLOAD_ID")" ]
}

@test "PATCH, PUT and DELETE of an unknown upload are 404 BLOB_UPLOAD_UNKNOWN" {
	repo=$(new_repo)
	with_parts
	UPLOAD=/v2/$repo/blobs/uploads/0123456789abcdef0123456789abcdef
	patch_chunk "$PART1" 0
	assert_error 404 BLOB_UPLOAD_UNKNOWN
	finish_upload "$DIGEST" "$BLOB"
	assert_error 404 BLOB_UPLOAD_UNKNOWN
	reg DELETE "$UPLOAD"
	assert_error 404 BLOB_UPLOAD_UNKNOWN
	reg HEAD "/v2/$repo/blobs/$DIGEST"
	assert_status 404
}
