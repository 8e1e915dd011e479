#!/usr/bin/env bats
# 83-ctr.bats: containerd's ctr (a third client codebase) pulls, retags,
# pushes and pulls back OCI, Docker schema 2 and multi-platform images

load helpers
load clients

# Tests share one containerd namespace and clean it after themselves.
# shellcheck disable=SC2034 # read by bats-exec-file
BATS_NO_PARALLELIZE_WITHIN_FILE=true

c() {
	ctr --address "$CONTAINERD_ADDRESS" --namespace berth-test "$@"
}

setup_file() {
	clients_enabled || return 0
	require_cmds dockerd ctr skopeo umoci jq curl
	containers_isolate
	dockerd_start
	# The native snapshotter works on any backing filesystem.
	export CONTAINERD_SNAPSHOTTER=native
	export OCI=$BATS_FILE_TMPDIR/oci
	oci_build "$OCI" oci 2
	oci_build "$OCI" v2s2 2
	oci_build "$OCI" amd64 2 amd64
	oci_build "$OCI" arm64 1 arm64
	oci_index "$OCI" multi amd64 arm64
}

teardown_file() {
	dockerd_stop
}

setup() {
	clients_setup
}

# Remove every image and, through containerd's GC, their content.
teardown() {
	clients_enabled || return 0
	local refs
	refs=$(c images ls --quiet)
	# shellcheck disable=SC2086
	[ -z "$refs" ] || c images rm --sync $refs >/dev/null
}

# image_digest REF: the target digest ctr has for REF.
image_digest() {
	c images ls | awk -v r="$1" '$1 == r { print $3 }'
}

# assert_content_blobs LAYOUT DIGEST...: ctr's content store holds exactly
# the layout's bytes for each digest.
assert_content_blobs() {
	local oci=$1 d
	shift
	for d in "$@"; do
		c content get "$d" >"$BATS_TEST_TMPDIR/content" ||
			fail "ctr has no content $d"
		assert_same_blob "$(oci_blob "$oci" "$d")" "$BATS_TEST_TMPDIR/content"
	done
}

@test "ctr pulls an OCI image, pushes it under another repository and pulls it back" {
	local src dst m blobs d
	src=$(new_repo src)
	dst=$(new_repo dst)
	m=$(oci_ref_digest "$OCI" oci)
	blobs=$(manifest_blobs "$(oci_blob "$OCI" "$m")")
	run -0 skcopy "oci:$OCI:oci" "docker://$BERTH_HOSTPORT/$src:1"

	run -0 c images pull --plain-http "$BERTH_HOSTPORT/$src:1"
	assert_equal "$(image_digest "$BERTH_HOSTPORT/$src:1")" "$m"
	# shellcheck disable=SC2086
	assert_content_blobs "$OCI" "$m" $blobs

	run -0 c images tag "$BERTH_HOSTPORT/$src:1" "$BERTH_HOSTPORT/$dst:2"
	run -0 c images push --plain-http "$BERTH_HOSTPORT/$dst:2"
	assert_manifest "$dst" 2 "$m" "$MT_OCI_MANIFEST"
	for d in $blobs; do
		assert_blob "$dst" "$d" "$(oci_blob "$OCI" "$d")"
	done
	# shellcheck disable=SC2086
	assert_blobs_on_disk $blobs

	run -0 c images rm --sync "$BERTH_HOSTPORT/$src:1" "$BERTH_HOSTPORT/$dst:2"
	run -0 c content ls --quiet
	assert_output ""
	run -0 c images pull --plain-http "$BERTH_HOSTPORT/$dst:2"
	assert_equal "$(image_digest "$BERTH_HOSTPORT/$dst:2")" "$m"
	# shellcheck disable=SC2086
	assert_content_blobs "$OCI" "$m" $blobs
}

@test "ctr pushes a Docker schema 2 image unchanged and pulls it back by digest" {
	local src dst m blobs d
	src=$(new_repo src)
	dst=$(new_repo dst)
	run -0 skcopy "oci:$OCI:v2s2" "docker://$BERTH_HOSTPORT/$src:1" --format v2s2
	fetch_manifest "$src" 1
	assert_equal "$MF_TYPE" "$MT_DOCKER_MANIFEST"
	m=$MF_DIGEST
	blobs=$(manifest_blobs "$MF_FILE")

	run -0 c images pull --plain-http "$BERTH_HOSTPORT/$src:1"
	assert_equal "$(image_digest "$BERTH_HOSTPORT/$src:1")" "$m"
	run -0 c images tag "$BERTH_HOSTPORT/$src:1" "$BERTH_HOSTPORT/$dst:1"
	run -0 c images push --plain-http "$BERTH_HOSTPORT/$dst:1"
	assert_manifest "$dst" 1 "$m" "$MT_DOCKER_MANIFEST"
	for d in $blobs; do
		assert_blob "$dst" "$d" "$(oci_blob "$OCI" "$d")"
	done
	# shellcheck disable=SC2086
	assert_blobs_on_disk $blobs

	run -0 c images rm --sync "$BERTH_HOSTPORT/$src:1" "$BERTH_HOSTPORT/$dst:1"
	run -0 c images pull --plain-http "$BERTH_HOSTPORT/$dst@$m"
	assert_equal "$(image_digest "$BERTH_HOSTPORT/$dst@$m")" "$m"
	# shellcheck disable=SC2086
	assert_content_blobs "$OCI" $blobs
}

@test "ctr pushes a multi-platform OCI index pulled with --all-platforms" {
	local src dst idx ch d blobs=()
	src=$(new_repo src)
	dst=$(new_repo dst)
	idx=$(oci_ref_digest "$OCI" multi)
	run -0 skcopy "oci:$OCI:multi" "docker://$BERTH_HOSTPORT/$src:multi" --all

	run -0 c images pull --plain-http --all-platforms "$BERTH_HOSTPORT/$src:multi"
	assert_equal "$(image_digest "$BERTH_HOSTPORT/$src:multi")" "$idx"
	for ch in $(jq -r '.manifests[].digest' "$(oci_blob "$OCI" "$idx")"); do
		# shellcheck disable=SC2207
		blobs+=("$ch" $(manifest_blobs "$(oci_blob "$OCI" "$ch")"))
	done
	assert_content_blobs "$OCI" "$idx" "${blobs[@]}"

	run -0 c images tag "$BERTH_HOSTPORT/$src:multi" "$BERTH_HOSTPORT/$dst:multi"
	run -0 c images push --plain-http "$BERTH_HOSTPORT/$dst:multi"
	assert_manifest "$dst" multi "$idx" "$MT_OCI_INDEX"
	for ch in $(jq -r '.manifests[].digest' "$MF_FILE"); do
		assert_manifest "$dst" "$ch" "$ch" "$MT_OCI_MANIFEST"
		for d in $(manifest_blobs "$MF_FILE"); do
			assert_blob "$dst" "$d" "$(oci_blob "$OCI" "$d")"
		done
	done

	run -0 c images rm --sync "$BERTH_HOSTPORT/$src:multi" "$BERTH_HOSTPORT/$dst:multi"
	run -0 c images pull --plain-http --platform linux/arm64 "$BERTH_HOSTPORT/$dst:multi"
	assert_equal "$(image_digest "$BERTH_HOSTPORT/$dst:multi")" "$idx"
	d=$(oci_ref_digest "$OCI" arm64)
	# shellcheck disable=SC2046
	assert_content_blobs "$OCI" "$d" $(manifest_blobs "$(oci_blob "$OCI" "$d")")
	# shellcheck disable=SC2046
	assert_blobs_on_disk $(manifest_blobs "$(oci_blob "$OCI" "$d")")
}
