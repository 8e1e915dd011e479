#!/usr/bin/env bats
# 80-skopeo.bats: skopeo (containers/image) pushes, pulls, inspects, deletes
# and copies images built locally with umoci

load helpers
load clients

setup_file() {
	clients_enabled || return 0
	require_cmds skopeo umoci jq curl
	containers_isolate
	export OCI=$BATS_FILE_TMPDIR/oci
	# One image per test, so that no push can reuse another test's blobs.
	oci_build "$OCI" three 3
	oci_build "$OCI" v2s2 3
	oci_build "$OCI" amd64 2 amd64
	oci_build "$OCI" arm64 2 arm64
	oci_index "$OCI" multi amd64 arm64
	oci_build "$OCI" info 2
	oci_build "$OCI" del 1
	oci_build "$OCI" copy 3
}

setup() {
	clients_setup
}

@test "skopeo pushes a 3-layer OCI image and pulls it back byte for byte" {
	local repo m back=$BATS_TEST_TMPDIR/back d
	repo=$(new_repo)
	m=$(oci_ref_digest "$OCI" three)

	run -0 skcopy "oci:$OCI:three" "docker://$BERTH_HOSTPORT/$repo:v1"
	assert_manifest "$repo" v1 "$m" "$MT_OCI_MANIFEST"
	assert_same_blob "$(oci_blob "$OCI" "$m")" "$MF_FILE"
	assert_equal "$(jq '.layers | length' "$MF_FILE")" 3
	for d in $(manifest_blobs "$MF_FILE"); do
		assert_blob "$repo" "$d" "$(oci_blob "$OCI" "$d")"
	done
	assert_manifest "$repo" "$m" "$m" "$MT_OCI_MANIFEST"

	run -0 skcopy "docker://$BERTH_HOSTPORT/$repo:v1" "oci:$back:v1"
	assert_equal "$(oci_ref_digest "$back" v1)" "$m"
	for d in "$m" $(manifest_blobs "$MF_FILE"); do
		assert_same_blob "$(oci_blob "$OCI" "$d")" "$(oci_blob "$back" "$d")"
	done
	# shellcheck disable=SC2046
	assert_blobs_on_disk $(manifest_blobs "$MF_FILE")
}

@test "skopeo pushes --format v2s2 and pulls the Docker schema 2 manifest back" {
	local repo m back=$BATS_TEST_TMPDIR/back d
	repo=$(new_repo)
	m=$(oci_ref_digest "$OCI" v2s2)

	run -0 skcopy "oci:$OCI:v2s2" "docker://$BERTH_HOSTPORT/$repo:v2" --format v2s2
	fetch_manifest "$repo" v2
	assert_equal "$MF_TYPE" "$MT_DOCKER_MANIFEST"
	assert_equal "$(jq -r .mediaType "$MF_FILE")" "$MT_DOCKER_MANIFEST"
	# Only the manifest is converted: config and layer blobs are the same.
	assert_equal "$(manifest_blobs "$MF_FILE")" \
		"$(manifest_blobs "$(oci_blob "$OCI" "$m")")"
	assert_equal "$(jq -r '.layers[].mediaType' "$MF_FILE" | sort -u)" \
		application/vnd.docker.image.rootfs.diff.tar.gzip
	assert_manifest "$repo" v2 "$MF_DIGEST" "$MT_DOCKER_MANIFEST"

	# skopeo's dir: transport keeps the manifest exactly as served.
	run -0 skcopy "docker://$BERTH_HOSTPORT/$repo:v2" "dir:$back"
	assert_equal "$(digest_of "$back/manifest.json")" "$MF_DIGEST"
	for d in $(manifest_blobs "$MF_FILE"); do
		assert_same_blob "$(oci_blob "$OCI" "$d")" "$back/${d#sha256:}"
	done
	run -0 skopeo inspect --tls-verify=false --raw "docker://$BERTH_HOSTPORT/$repo@$MF_DIGEST"
	assert_equal "$(printf '%s' "$output" | digest_stdin)" "$MF_DIGEST"
	# shellcheck disable=SC2046
	assert_blobs_on_disk $(manifest_blobs "$MF_FILE")
}

@test "skopeo copy --all pushes an OCI image index and pulls back the same index" {
	local repo idx back=$BATS_TEST_TMPDIR/back one=$BATS_TEST_TMPDIR/one d c
	repo=$(new_repo)
	idx=$(oci_ref_digest "$OCI" multi)

	run -0 skcopy "oci:$OCI:multi" "docker://$BERTH_HOSTPORT/$repo:multi" --all
	assert_manifest "$repo" multi "$idx" "$MT_OCI_INDEX"
	assert_same_blob "$(oci_blob "$OCI" "$idx")" "$MF_FILE"
	assert_equal "$(jq -r '[.manifests[].platform.architecture] | join(",")' "$MF_FILE")" amd64,arm64
	local blobs=()
	# (assert_manifest below replaces MF_FILE with each child manifest)
	for c in $(jq -r '.manifests[].digest' "$MF_FILE"); do
		assert_manifest "$repo" "$c" "$c" "$MT_OCI_MANIFEST"
		for d in $(manifest_blobs "$MF_FILE"); do
			assert_blob "$repo" "$d" "$(oci_blob "$OCI" "$d")"
			blobs+=("$d")
		done
	done

	run -0 skcopy "docker://$BERTH_HOSTPORT/$repo:multi" "oci:$back:multi" --all
	assert_equal "$(oci_ref_digest "$back" multi)" "$idx"
	for c in $(jq -r '.manifests[].digest' "$(oci_blob "$OCI" "$idx")"); do
		assert_same_blob "$(oci_blob "$OCI" "$c")" "$(oci_blob "$back" "$c")"
	done
	for d in "${blobs[@]}"; do
		assert_same_blob "$(oci_blob "$OCI" "$d")" "$(oci_blob "$back" "$d")"
	done

	# Without --all the client picks one platform from the index.
	run -0 skcopy "docker://$BERTH_HOSTPORT/$repo:multi" "oci:$one:arm" --override-arch arm64
	assert_equal "$(oci_ref_digest "$one" arm)" "$(oci_ref_digest "$OCI" arm64)"
	assert_blobs_on_disk "${blobs[@]}"
}

@test "skopeo inspect shows the digest, tags, raw manifest and config; list-tags lists the tags" {
	local repo m cfg
	repo=$(new_repo)
	m=$(oci_ref_digest "$OCI" info)
	cfg=$(jq -r .config.digest "$(oci_blob "$OCI" "$m")")
	run -0 skcopy "oci:$OCI:info" "docker://$BERTH_HOSTPORT/$repo:b"
	run -0 skcopy "oci:$OCI:info" "docker://$BERTH_HOSTPORT/$repo:a"

	run -0 skopeo inspect --tls-verify=false "docker://$BERTH_HOSTPORT/$repo:a"
	assert_equal "$(jq -r .Digest <<<"$output")" "$m"
	assert_equal "$(jq -r .Name <<<"$output")" "$BERTH_HOSTPORT/$repo"
	assert_equal "$(jq -c '.RepoTags | sort' <<<"$output")" '["a","b"]'
	assert_equal "$(jq -r .Architecture <<<"$output")" amd64
	assert_equal "$(jq -r '.Labels["berth.test"]' <<<"$output")" info
	assert_equal "$(jq -r '.Layers[]' <<<"$output")" \
		"$(jq -r '.layers[].digest' "$(oci_blob "$OCI" "$m")")"

	skopeo inspect --tls-verify=false --raw "docker://$BERTH_HOSTPORT/$repo:a" >"$BATS_TEST_TMPDIR/raw"
	assert_same_blob "$(oci_blob "$OCI" "$m")" "$BATS_TEST_TMPDIR/raw"

	skopeo inspect --tls-verify=false --config --raw "docker://$BERTH_HOSTPORT/$repo:b" >"$BATS_TEST_TMPDIR/cfg"
	assert_same_blob "$(oci_blob "$OCI" "$cfg")" "$BATS_TEST_TMPDIR/cfg"
	run -0 skopeo inspect --tls-verify=false --config "docker://$BERTH_HOSTPORT/$repo:b"
	assert_equal "$(jq -c .config.Cmd <<<"$output")" '["/info/layer1"]'
	assert_equal "$(jq -r .os <<<"$output")" linux

	run -0 skopeo list-tags --tls-verify=false "docker://$BERTH_HOSTPORT/$repo"
	assert_equal "$(jq -r .Repository <<<"$output")" "$BERTH_HOSTPORT/$repo"
	assert_equal "$(jq -c '.Tags | sort' <<<"$output")" '["a","b"]'
	# shellcheck disable=SC2046
	assert_blobs_on_disk $(manifest_blobs "$(oci_blob "$OCI" "$m")")
}

@test "skopeo delete removes the manifest; inspect then fails with manifest unknown" {
	local repo m
	repo=$(new_repo)
	m=$(oci_ref_digest "$OCI" del)
	run -0 skcopy "oci:$OCI:del" "docker://$BERTH_HOSTPORT/$repo:gone"
	assert_manifest "$repo" gone "$m"
	# shellcheck disable=SC2046
	assert_blobs_on_disk $(manifest_blobs "$(oci_blob "$OCI" "$m")")

	run -0 skopeo delete --tls-verify=false "docker://$BERTH_HOSTPORT/$repo:gone"
	run -1 skopeo inspect --tls-verify=false "docker://$BERTH_HOSTPORT/$repo:gone"
	assert_output --partial "manifest unknown"
	run -1 skopeo inspect --tls-verify=false --raw "docker://$BERTH_HOSTPORT/$repo@$m"
	assert_output --partial "manifest unknown"
	reg HEAD "/v2/$repo/manifests/$m" -H "Accept: $MT_ACCEPT_ALL"
	assert_status 404
	reg GET "/v2/$repo/manifests/$m" -H "Accept: $MT_ACCEPT_ALL"
	assert_error 404 MANIFEST_UNKNOWN
}

@test "skopeo copies between two repositories, mounting blobs across them" {
	local src dst m d log=$BATS_TEST_TMPDIR/copy.log
	src=$(new_repo src)
	dst=$(new_repo dst)
	m=$(oci_ref_digest "$OCI" copy)
	run -0 skcopy "oci:$OCI:copy" "docker://$BERTH_HOSTPORT/$src:1"

	skopeo --debug copy --src-tls-verify=false --dest-tls-verify=false \
		"docker://$BERTH_HOSTPORT/$src:1" "docker://$BERTH_HOSTPORT/$dst:1" >"$log" 2>&1 ||
		fail "registry-to-registry copy failed: $(cat "$log")"
	assert_manifest "$dst" 1 "$m" "$MT_OCI_MANIFEST"
	for d in $(manifest_blobs "$MF_FILE"); do
		assert_blob "$dst" "$d" "$(oci_blob "$OCI" "$d")"
	done
	# The layers were known to be in $src, so skopeo mounted them: the
	# registry must answer POST ...?mount=&from= with 201 Created.
	local enc=${src//\//%2F}
	run grep -c "POST .*/v2/$dst/blobs/uploads/?from=$enc&mount=sha256" "$log"
	assert_output 3
	run grep -c 'mount OK' "$log"
	assert_output 3
	# shellcheck disable=SC2046
	assert_blobs_on_disk $(manifest_blobs "$MF_FILE")
}
