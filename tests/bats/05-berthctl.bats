#!/usr/bin/env bats
# 05-berthctl.bats: the administration tool (purge-uploads, fsck)

load helpers

setup() {
	write_config
	CTL=$BERTH_BUILDDIR/berthctl/berthctl
}

start_upload_id() {
	reg_cgi POST "/v2/$1/blobs/uploads/"
	assert_status 202
	header Docker-Upload-UUID
}

@test "purge-uploads removes uploads older than upload_max_age and keeps fresh ones" {
	local repo old new
	repo=$(new_repo)
	old=$(start_upload_id "$repo")
	new=$(start_upload_id "$repo/sub")
	echo 1000 >"$BERTH_STORE/repositories/$repo/_uploads/$old/startedat"
	run "$CTL" purge-uploads --config "$BERTH_CONFIG"
	assert_success
	assert_output --partial "removed repositories/$repo/_uploads/$old"
	assert_output --partial "1 uploads removed, 1 kept"
	assert [ ! -e "$BERTH_STORE/repositories/$repo/_uploads/$old" ]
	assert [ -e "$BERTH_STORE/repositories/$repo/sub/_uploads/$new/state" ]
	reg_cgi GET "/v2/$repo/blobs/uploads/$old"
	assert_error 404 BLOB_UPLOAD_UNKNOWN
	reg_cgi GET "/v2/$repo/sub/blobs/uploads/$new"
	assert_status 204
}

@test "purge-uploads --older-than 0 removes every upload" {
	local repo id
	repo=$(new_repo)
	id=$(start_upload_id "$repo")
	sleep 1
	run "$CTL" purge-uploads --config "$BERTH_CONFIG" --older-than 0
	assert_success
	assert_output --partial "1 uploads removed, 0 kept"
	assert [ ! -e "$BERTH_STORE/repositories/$repo/_uploads/$id" ]
}

@test "two purge-uploads runs at once both finish cleanly" {
	local repo i
	repo=$(new_repo)
	for i in 1 2 3; do start_upload_id "$repo" >/dev/null; done
	"$CTL" purge-uploads --config "$BERTH_CONFIG" --older-than 0 >"$BATS_TEST_TMPDIR/a" 2>&1 &
	"$CTL" purge-uploads --config "$BERTH_CONFIG" --older-than 0 >"$BATS_TEST_TMPDIR/b" 2>&1 &
	wait
	run cat "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	refute_output --partial "cannot remove"
	assert_output --regexp "3 uploads removed"
	run find "$BERTH_STORE/repositories/$repo/_uploads" -mindepth 1
	assert_output ''
}

@test "purge-uploads rejects a bad --older-than" {
	run "$CTL" purge-uploads --config "$BERTH_CONFIG" --older-than 1d
	assert_failure
	assert_output --partial "bad --older-than"
}

@test "fsck passes on a consistent store and finds a corrupted blob" {
	local repo d
	repo=$(new_repo)
	make_image "$repo" v1
	run "$CTL" fsck --config "$BERTH_CONFIG"
	assert_success
	assert_output --partial "3 blobs ok, 0 bad"
	d=$IMG_LAYER
	printf 'X' | dd of="$BERTH_STORE/blobs/sha256/${d:7:2}/${d#sha256:}/data" bs=1 seek=10 conv=notrunc 2>/dev/null
	run "$CTL" fsck --config "$BERTH_CONFIG"
	assert_failure 1
	assert_output --partial "bad: blobs/sha256/${d:7:2}/${d#sha256:}/data hashes to"
	assert_output --partial "2 blobs ok, 1 bad"
}

@test "berthctl without a command prints usage and exits 2" {
	run "$CTL"
	assert_failure 2
	assert_output --partial "usage: berthctl"
}
