#!/usr/bin/env bats
# 82-docker.bats: dockerd 20.10 pushes images built FROM scratch and pulls
# them back by tag and by digest; docker manifest inspect; cross-repository
# mounts; pulling an OCI image index

load helpers
load clients

# Tests share one dockerd and load and remove the same images.
# shellcheck disable=SC2034 # read by bats-exec-file
BATS_NO_PARALLELIZE_WITHIN_FILE=true

# build NAME FILE...: docker image from scratch, one layer per file (random
# content kept in the context), saved to NAME.tar and removed again, so that
# every test starts from `docker load` and a removed image really goes.
build() {
	local name=$1 ctx=$BATS_FILE_TMPDIR/ctx-$1 f
	shift
	mkdir -p "$ctx"
	printf 'FROM scratch\n' >"$ctx/Dockerfile"
	for f in "$@"; do
		random_file "$ctx/$f" 65536
		printf 'COPY %s /%s\n' "$f" "$f" >>"$ctx/Dockerfile"
	done
	docker build --quiet -t "berth-test/$name:1" "$ctx" >/dev/null 2>&1 || return 1
	docker save -o "$BATS_FILE_TMPDIR/$name.tar" "berth-test/$name:1" || return 1
	docker image inspect --format '{{.Id}}' "berth-test/$name:1" >"$BATS_FILE_TMPDIR/$name.id"
	docker rmi "berth-test/$name:1" >/dev/null
}

setup_file() {
	clients_enabled || return 0
	require_cmds dockerd docker skopeo umoci jq curl
	containers_isolate
	dockerd_start
	build one hello.txt
	build two a.txt b.txt
	build mnt m.txt
	export OCI=$BATS_FILE_TMPDIR/oci
	oci_build "$OCI" amd64 2 amd64
	oci_build "$OCI" arm64 2 arm64
	oci_index "$OCI" multi amd64 arm64
}

teardown_file() {
	dockerd_stop
}

setup() {
	clients_setup
}

# Leave no image behind, so that the next test's pulls really download.
teardown() {
	clients_enabled || return 0
	local ids
	ids=$(docker images --all --quiet | sort -u)
	# shellcheck disable=SC2086
	[ -z "$ids" ] || docker rmi --force $ids >/dev/null
}

# load_as NAME IMAGE...: load build NAME and tag it only as IMAGE...
load_as() {
	local name=$1 i
	shift
	docker load -q -i "$BATS_FILE_TMPDIR/$name.tar" >/dev/null
	for i in "$@"; do
		docker tag "berth-test/$name:1" "$i"
	done
	docker rmi "berth-test/$name:1" >/dev/null
}

# push IMAGE: docker push; sets PUSHED to the digest docker reports.
push() {
	run -0 docker push "$1"
	PUSHED=$(grep -Eo 'digest: sha256:[0-9a-f]{64}' <<<"$output")
	PUSHED=${PUSHED#digest: }
	[ -n "$PUSHED" ] || fail "no digest in push output: $output"
}

# rmi_all IMAGE ID: remove IMAGE, which must delete image ID entirely.
rmi_all() {
	run -0 docker rmi "$1"
	assert_output --partial "Deleted: $2"
	run ! docker image inspect "$2"
}

# assert_content NAME IMAGE FILE...: IMAGE holds build NAME's files.
assert_content() {
	local name=$1 img=$2 f
	shift 2
	for f in "$@"; do
		docker_file_of "$img" "/$f" "$BATS_TEST_TMPDIR/$f"
		assert_same_blob "$BATS_FILE_TMPDIR/ctx-$name/$f" "$BATS_TEST_TMPDIR/$f"
	done
}

@test "docker pushes an image built FROM scratch and pulls it back by tag" {
	local repo img id
	repo=$(new_repo)
	img=$BERTH_HOSTPORT/$repo:1
	id=$(cat "$BATS_FILE_TMPDIR/one.id")
	load_as one "$img"
	push "$img"
	assert_manifest "$repo" 1 "$PUSHED" "$MT_DOCKER_MANIFEST"
	assert_equal "$(jq -r .config.digest "$MF_FILE")" "$id"
	assert_equal "$(jq '.layers | length' "$MF_FILE")" 1
	# shellcheck disable=SC2046
	assert_blobs_on_disk $(manifest_blobs "$MF_FILE")

	rmi_all "$img" "$id"
	run -0 docker pull "$img"
	assert_output --partial "Digest: $PUSHED"
	assert_equal "$(docker image inspect --format '{{.Id}}' "$img")" "$id"
	assert_equal "$(docker image inspect --format '{{json .RepoDigests}}' "$img")" \
		"[\"$BERTH_HOSTPORT/$repo@$PUSHED\"]"
	assert_content one "$img" hello.txt
}

@test "docker pulls by digest after rmi" {
	local repo img id
	repo=$(new_repo)
	img=$BERTH_HOSTPORT/$repo:1
	id=$(cat "$BATS_FILE_TMPDIR/one.id")
	load_as one "$img"
	push "$img"
	assert_manifest "$repo" "$PUSHED" "$PUSHED" "$MT_DOCKER_MANIFEST"
	rmi_all "$img" "$id"

	run -0 docker pull "$BERTH_HOSTPORT/$repo@$PUSHED"
	assert_output --partial "Digest: $PUSHED"
	assert_equal "$(docker image inspect --format '{{.Id}}' "$BERTH_HOSTPORT/$repo@$PUSHED")" "$id"
	assert_equal "$(docker image inspect --format '{{json .RepoDigests}}' "$id")" \
		"[\"$BERTH_HOSTPORT/$repo@$PUSHED\"]"
	# A pull by digest creates no tag.
	assert_equal "$(docker image inspect --format '{{json .RepoTags}}' "$id")" '[]'
	assert_content one "$BERTH_HOSTPORT/$repo@$PUSHED" hello.txt
	# shellcheck disable=SC2046
	assert_blobs_on_disk $(manifest_blobs "$MF_FILE")
}

@test "docker pushes a two-layer image whose layers match the config's diff_ids" {
	local repo img id i d diff
	repo=$(new_repo)
	img=$BERTH_HOSTPORT/$repo:two
	id=$(cat "$BATS_FILE_TMPDIR/two.id")
	load_as two "$img"
	push "$img"
	assert_manifest "$repo" two "$PUSHED" "$MT_DOCKER_MANIFEST"
	assert_equal "$(jq '.layers | length' "$MF_FILE")" 2
	local manifest=$MF_FILE
	reg GET "/v2/$repo/blobs/$id"
	assert_status 200
	assert_equal "$(digest_of "$REG_BODY_FILE")" "$id"
	cp "$REG_BODY_FILE" "$BATS_TEST_TMPDIR/config.json"
	for i in 0 1; do
		d=$(jq -r ".layers[$i].digest" "$manifest")
		reg GET "/v2/$repo/blobs/$d"
		assert_status 200
		assert_equal "$(digest_of "$REG_BODY_FILE")" "$d"
		assert_equal "$(stat -c %s "$REG_BODY_FILE")" "$(jq -r ".layers[$i].size" "$manifest")"
		diff=$(gzip -dc <"$REG_BODY_FILE" | digest_stdin)
		assert_equal "$diff" "$(jq -r ".rootfs.diff_ids[$i]" "$BATS_TEST_TMPDIR/config.json")"
	done
	# shellcheck disable=SC2046
	assert_blobs_on_disk $(manifest_blobs "$manifest")

	rmi_all "$img" "$id"
	run -0 docker pull "$img"
	assert_output --partial "Digest: $PUSHED"
	assert_content two "$img" a.txt b.txt
}

@test "docker manifest inspect --insecure shows the pushed manifest" {
	local repo img
	repo=$(new_repo)
	img=$BERTH_HOSTPORT/$repo:1
	load_as one "$img"
	push "$img"
	fetch_manifest "$repo" 1
	run -0 docker manifest inspect --insecure "$img"
	assert_equal "$(jq -S . <<<"$output")" "$(jq -S . "$MF_FILE")"
	run -0 docker manifest inspect --insecure "$BERTH_HOSTPORT/$repo@$PUSHED"
	assert_equal "$(jq -S . <<<"$output")" "$(jq -S . "$MF_FILE")"
	run ! docker manifest inspect --insecure "$BERTH_HOSTPORT/$repo:nope"
	assert_output --partial "no such manifest"
}

@test "docker push to a second repository mounts the blobs from the first" {
	local a b id
	a=$(new_repo a)
	b=$(new_repo b)
	id=$(cat "$BATS_FILE_TMPDIR/mnt.id")
	load_as mnt "$BERTH_HOSTPORT/$a:1" "$BERTH_HOSTPORT/$b:1"
	push "$BERTH_HOSTPORT/$a:1"
	refute_output --partial "Mounted from"
	local first=$PUSHED
	push "$BERTH_HOSTPORT/$b:1"
	assert_output --partial "Mounted from $a"
	assert_equal "$PUSHED" "$first"
	assert_manifest "$b" 1 "$first" "$MT_DOCKER_MANIFEST"
	local d
	for d in $(manifest_blobs "$MF_FILE"); do
		reg HEAD "/v2/$b/blobs/$d"
		assert_status 200
	done

	docker rmi "$BERTH_HOSTPORT/$a:1" >/dev/null
	rmi_all "$BERTH_HOSTPORT/$b:1" "$id"
	run -0 docker pull "$BERTH_HOSTPORT/$b:1"
	assert_content mnt "$BERTH_HOSTPORT/$b:1" m.txt
	# shellcheck disable=SC2046
	assert_blobs_on_disk $(manifest_blobs "$MF_FILE")
}

@test "docker pulls its platform from an OCI image index pushed by skopeo" {
	local repo idx m cfg img
	repo=$(new_repo)
	img=$BERTH_HOSTPORT/$repo:multi
	idx=$(oci_ref_digest "$OCI" multi)
	m=$(oci_ref_digest "$OCI" amd64)
	cfg=$(jq -r .config.digest "$(oci_blob "$OCI" "$m")")
	run -0 skcopy "oci:$OCI:multi" "docker://$img" --all
	assert_manifest "$repo" multi "$idx" "$MT_OCI_INDEX"

	run -0 docker pull "$img"
	assert_output --partial "Digest: $idx"
	assert_equal "$(docker image inspect --format '{{.Id}}' "$img")" "$cfg"
	assert_equal "$(docker image inspect --format '{{.Architecture}}' "$img")" amd64
	assert_equal "$(docker image inspect --format '{{json .RepoDigests}}' "$img")" \
		"[\"$BERTH_HOSTPORT/$repo@$idx\"]"
	local f
	for f in layer1 layer2; do
		docker_file_of "$img" "/amd64/$f" "$BATS_TEST_TMPDIR/$f"
		assert_same_blob "$OCI.files/amd64/$f" "$BATS_TEST_TMPDIR/$f"
	done
}
