#!/usr/bin/env bats
# 81-podman.bats: podman builds FROM scratch, pushes (OCI and Docker
# schema 2, single images and a manifest list) and pulls back by tag and digest

load helpers
load clients

# The build store is shared by every test of this file.
pm() {
	podman_in "$BATS_FILE_TMPDIR/podman" "$@"
}

# A store of this test's own, so that pulls really download.
pp() {
	podman_in "$BATS_TEST_TMPDIR/pull" "$@"
}

# build NAME [ARCH]: a two-layer image localhost/berth-NAME:1 from scratch.
build() {
	local ctx=$BATS_FILE_TMPDIR/ctx-$1
	mkdir -p "$ctx"
	random_file "$ctx/a" 65536
	random_file "$ctx/b" 32768
	printf 'FROM scratch\nCOPY a /a\nCOPY b /b\nCMD ["/a"]\n' >"$ctx/Containerfile"
	pm build --quiet --arch "${2:-amd64}" -t "localhost/berth-$1:1" "$ctx" >/dev/null
}

setup_file() {
	clients_enabled || return 0
	require_cmds podman jq curl
	containers_isolate
	build oci
	build v2s2 arm64
	build dig
}

setup() {
	clients_setup
}

# assert_pulled_content NAME IMAGE: IMAGE in this test's store holds the
# files that went into build NAME.
assert_pulled_content() {
	local ctx=$BATS_FILE_TMPDIR/ctx-$1 mnt
	mnt=$(pp image mount "$2")
	assert_same_blob "$ctx/a" "$mnt/a"
	assert_same_blob "$ctx/b" "$mnt/b"
	pp image unmount "$2" >/dev/null
}

image_id() {
	pm image inspect --format '{{.Id}}' "localhost/berth-$1:1"
}

@test "podman pushes an OCI image built FROM scratch and pulls it back" {
	local repo d
	repo=$(new_repo)
	run -0 pm push --quiet --tls-verify=false --digestfile "$BATS_TEST_TMPDIR/digest" \
		localhost/berth-oci:1 "docker://$BERTH_HOSTPORT/$repo:1"
	d=$(cat "$BATS_TEST_TMPDIR/digest")
	assert_manifest "$repo" 1 "$d" "$MT_OCI_MANIFEST"
	assert_equal "$(jq '.layers | length' "$MF_FILE")" 2
	assert_equal "$(jq -r .config.digest "$MF_FILE")" "sha256:$(image_id oci)"
	# shellcheck disable=SC2046
	assert_blobs_on_disk $(manifest_blobs "$MF_FILE")

	run -0 --separate-stderr pp pull --quiet --tls-verify=false "$BERTH_HOSTPORT/$repo:1"
	assert_equal "$(pp image inspect --format '{{.Digest}}' "$BERTH_HOSTPORT/$repo:1")" "$d"
	assert_equal "$(pp image inspect --format '{{.Id}}' "$BERTH_HOSTPORT/$repo:1")" "$(image_id oci)"
	assert_pulled_content oci "$BERTH_HOSTPORT/$repo:1"
}

@test "podman pushes --format v2s2 and pulls the Docker schema 2 image back" {
	local repo d
	repo=$(new_repo)
	run -0 pm push --quiet --tls-verify=false --format v2s2 \
		--digestfile "$BATS_TEST_TMPDIR/digest" \
		localhost/berth-v2s2:1 "docker://$BERTH_HOSTPORT/$repo:v2"
	d=$(cat "$BATS_TEST_TMPDIR/digest")
	assert_manifest "$repo" v2 "$d" "$MT_DOCKER_MANIFEST"
	assert_equal "$(jq -r .mediaType "$MF_FILE")" "$MT_DOCKER_MANIFEST"
	assert_equal "$(jq -r .config.mediaType "$MF_FILE")" \
		application/vnd.docker.container.image.v1+json
	assert_equal "$(jq '.layers | length' "$MF_FILE")" 2
	# shellcheck disable=SC2046
	assert_blobs_on_disk $(manifest_blobs "$MF_FILE")

	run -0 --separate-stderr pp pull --quiet --tls-verify=false "$BERTH_HOSTPORT/$repo:v2"
	assert_equal "$(pp image inspect --format '{{.Digest}}' "$BERTH_HOSTPORT/$repo:v2")" "$d"
	assert_equal "$(pp image inspect --format '{{.Id}}' "$BERTH_HOSTPORT/$repo:v2")" "$(image_id v2s2)"
	assert_pulled_content v2s2 "$BERTH_HOSTPORT/$repo:v2"
}

@test "podman rmi then pull by digest gets the same image" {
	local repo d
	repo=$(new_repo)
	run -0 pm push --quiet --tls-verify=false --digestfile "$BATS_TEST_TMPDIR/digest" \
		localhost/berth-dig:1 "docker://$BERTH_HOSTPORT/$repo:1"
	d=$(cat "$BATS_TEST_TMPDIR/digest")
	assert_manifest "$repo" 1 "$d"

	run -0 --separate-stderr pp pull --quiet --tls-verify=false "$BERTH_HOSTPORT/$repo:1"
	run -0 pp rmi "$BERTH_HOSTPORT/$repo:1"
	run -0 pp images --quiet
	assert_output ""

	run -0 --separate-stderr pp pull --quiet --tls-verify=false "$BERTH_HOSTPORT/$repo@$d"
	assert_output "$(image_id dig)"
	run -0 pp image inspect "$BERTH_HOSTPORT/$repo@$d"
	assert_equal "$(jq -r '.[0].Digest' <<<"$output")" "$d"
	assert_equal "$(jq -r '.[0].RepoDigests[]' <<<"$output")" "$BERTH_HOSTPORT/$repo@$d"
	assert_pulled_content dig "$BERTH_HOSTPORT/$repo@$d"
	# shellcheck disable=SC2046
	assert_blobs_on_disk $(manifest_blobs "$MF_FILE")
}

@test "podman manifest push --all pushes OCI and Docker lists that pull per platform" {
	local repo d f c list=localhost/berth-list-$BATS_TEST_NUMBER:1
	repo=$(new_repo)
	run -0 pm manifest create "$list"
	run -0 pm manifest add "$list" containers-storage:localhost/berth-oci:1
	run -0 pm manifest add "$list" containers-storage:localhost/berth-v2s2:1
	for f in oci v2s2; do
		run -0 pm manifest push --quiet --all --tls-verify=false --format "$f" \
			--digestfile "$BATS_TEST_TMPDIR/digest" "$list" "docker://$BERTH_HOSTPORT/$repo:$f"
		d=$(cat "$BATS_TEST_TMPDIR/digest")
		if [ "$f" = oci ]; then
			assert_manifest "$repo" "$f" "$d" "$MT_OCI_INDEX"
		else
			assert_manifest "$repo" "$f" "$d" "$MT_DOCKER_LIST"
		fi
		assert_equal "$(jq -r .mediaType "$MF_FILE")" "$MF_TYPE"
		assert_equal "$(jq -r '[.manifests[].platform.architecture] | sort | join(",")' "$MF_FILE")" amd64,arm64
		for c in $(jq -r '.manifests[].digest' "$MF_FILE"); do
			reg HEAD "/v2/$repo/manifests/$c" -H "Accept: $MT_ACCEPT_ALL"
			assert_status 200
			assert_equal "$(header Docker-Content-Digest)" "$c"
		done
	done
	pm manifest rm "$list" >/dev/null

	run -0 --separate-stderr pp pull --quiet --tls-verify=false --arch arm64 "$BERTH_HOSTPORT/$repo:oci"
	assert_output "$(image_id v2s2)"
	assert_pulled_content v2s2 "$BERTH_HOSTPORT/$repo:oci"
	run -0 --separate-stderr pp pull --quiet --tls-verify=false --arch amd64 "$BERTH_HOSTPORT/$repo:v2s2"
	assert_output "$(image_id oci)"
	assert_pulled_content oci "$BERTH_HOSTPORT/$repo:v2s2"
}
