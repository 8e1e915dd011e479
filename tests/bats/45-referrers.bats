#!/usr/bin/env bats
# 45-referrers.bats: manifests with a subject, GET /v2/<name>/referrers/<digest>

load helpers
load lib_manifests

referrers() {
	reg GET "/v2/$1/referrers/$2${3:+?$3}"
}

# A subject image: sets SUBJ and SUBJ_SIZE.
subject_image() {
	make_image "$1" || return 1
	SUBJ=$IMG_DIGEST
	SUBJ_SIZE=$(size_of "$IMG_MANIFEST")
}

# assert_referrers DIGEST...: the body is an image index listing exactly
# these manifest digests, in any order.
assert_referrers() {
	local want
	want=$(printf '%s\n' "$@" | sort | jq -Rsc 'split("\n") | map(select(. != ""))')
	assert_json '.schemaVersion == 2'
	assert_json ".mediaType == \"$MT_OCI_INDEX\""
	assert_json "[.manifests[].digest] | sort == $want"
}

@test "a subject without referrers gives 200 and an empty image index" {
	repo=$(new_repo)
	subject_image "$repo"
	referrers "$repo" "$SUBJ"
	assert_status 200
	assert_equal "$(header Content-Type)" "$MT_OCI_INDEX"
	assert_json '.schemaVersion == 2'
	assert_json ".mediaType == \"$MT_OCI_INDEX\""
	assert_json '.manifests == []'
}

@test "referrers of a digest the repository has never seen is an empty index" {
	repo=$(new_repo)
	subject_image "$repo"
	referrers "$repo" "$(random_digest)"
	assert_status 200
	assert_equal "$(header Content-Type)" "$MT_OCI_INDEX"
	assert_json '.manifests == []'
}

@test "pushing a manifest with a subject answers OCI-Subject" {
	repo=$(new_repo)
	subject_image "$repo"
	push_artifact "$repo" application/vnd.example.sbom.v1 "$SUBJ" "$SUBJ_SIZE"
	assert_status 201
	assert_equal "$(header OCI-Subject)" "$SUBJ"
	assert_equal "$(header Docker-Content-Digest)" "$ART_DIGEST"
}

@test "a manifest without a subject gets no OCI-Subject header" {
	repo=$(new_repo)
	make_image "$repo" v1
	assert_status 201
	refute_header OCI-Subject
}

@test "a referrer is listed with its mediaType, digest, size and artifactType" {
	repo=$(new_repo)
	subject_image "$repo"
	push_artifact "$repo" application/vnd.example.sbom.v1 "$SUBJ" "$SUBJ_SIZE"
	referrers "$repo" "$SUBJ"
	assert_status 200
	assert_referrers "$ART_DIGEST"
	assert_json ".manifests[0].mediaType == \"$MT_OCI_MANIFEST\""
	assert_json ".manifests[0].size == $ART_SIZE"
	assert_json '.manifests[0].artifactType == "application/vnd.example.sbom.v1"'
}

@test "a manifest may name a subject that does not exist yet" {
	repo=$(new_repo)
	make_image "$repo" v1
	subj=$(random_digest)
	push_artifact "$repo" application/vnd.example.sig.v1 "$subj" 1234
	assert_status 201
	assert_equal "$(header OCI-Subject)" "$subj"
	referrers "$repo" "$subj"
	assert_status 200
	assert_referrers "$ART_DIGEST"
}

@test "an image manifest without artifactType is listed with its config mediaType" {
	repo=$(new_repo)
	subject_image "$repo"
	c=$(tmp_file sigconfig)
	printf '{"signed":"%s"}' "$(nonce)" >"$c"
	cfg=$(push_blob "$repo" "$c")
	m=$(tmp_file sig)
	printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.example.sig.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"%s","digest":"%s","size":%d}],"subject":{"mediaType":"%s","digest":"%s","size":%d}}' \
		"$MT_OCI_MANIFEST" "$cfg" "$(size_of "$c")" "$MT_OCI_LAYER" "$IMG_LAYER" 1000 \
		"$MT_OCI_MANIFEST" "$SUBJ" "$SUBJ_SIZE" >"$m"
	d=$(digest_of "$m")
	push_manifest "$repo" "$d" "$m"
	referrers "$repo" "$SUBJ"
	assert_status 200
	assert_referrers "$d"
	assert_json '.manifests[0].artifactType == "application/vnd.example.sig.config.v1+json"'
}

@test "the annotations of a referrer are copied into its descriptor" {
	repo=$(new_repo)
	subject_image "$repo"
	ann='{"org.opencontainers.image.created":"2024-01-02T03:04:05Z","org.example.format":"spdx json"}'
	push_artifact "$repo" application/vnd.example.sbom.v1 "$SUBJ" "$SUBJ_SIZE" "$ann"
	referrers "$repo" "$SUBJ"
	assert_status 200
	assert_referrers "$ART_DIGEST"
	assert_json ".manifests[0].annotations == $ann"
}

@test "every referrer of a subject is listed once" {
	repo=$(new_repo)
	subject_image "$repo"
	push_artifact "$repo" application/vnd.example.sbom.v1 "$SUBJ" "$SUBJ_SIZE"
	a=$ART_DIGEST
	push_artifact "$repo" application/vnd.example.sig.v1 "$SUBJ" "$SUBJ_SIZE"
	b=$ART_DIGEST
	push_artifact "$repo" application/vnd.example.sig.v1 "$SUBJ" "$SUBJ_SIZE" '{"n":"2"}'
	c=$ART_DIGEST
	referrers "$repo" "$SUBJ"
	assert_status 200
	assert_referrers "$a" "$b" "$c"
}

@test "pushing a referrer again does not list it twice" {
	repo=$(new_repo)
	subject_image "$repo"
	push_artifact "$repo" application/vnd.example.sbom.v1 "$SUBJ" "$SUBJ_SIZE"
	push_manifest "$repo" "$ART_DIGEST" "$ART_FILE"
	push_manifest "$repo" sbom "$ART_FILE"
	referrers "$repo" "$SUBJ"
	assert_status 200
	assert_referrers "$ART_DIGEST"
}

@test "the referrers of another subject are not listed" {
	repo=$(new_repo)
	subject_image "$repo"
	s1=$SUBJ s1size=$SUBJ_SIZE
	subject_image "$repo"
	push_artifact "$repo" application/vnd.example.sbom.v1 "$s1" "$s1size"
	a=$ART_DIGEST
	push_artifact "$repo" application/vnd.example.sbom.v1 "$SUBJ" "$SUBJ_SIZE"
	b=$ART_DIGEST
	referrers "$repo" "$s1"
	assert_status 200
	assert_referrers "$a"
	referrers "$repo" "$SUBJ"
	assert_status 200
	assert_referrers "$b"
}

@test "referrers are listed only in their own repository" {
	repo=$(new_repo a)
	other=$(new_repo b)
	make_image "$other" v1
	make_image "$repo" v1
	subj=$(random_digest)
	push_artifact "$repo" application/vnd.example.sbom.v1 "$subj" 100
	referrers "$other" "$subj"
	assert_status 200
	assert_json '.manifests == []'
}

@test "an artifactType filter lists only matching referrers and says so" {
	repo=$(new_repo)
	subject_image "$repo"
	push_artifact "$repo" application/vnd.example.sbom.v1 "$SUBJ" "$SUBJ_SIZE"
	sbom=$ART_DIGEST
	push_artifact "$repo" application/vnd.example.sig.v1 "$SUBJ" "$SUBJ_SIZE"
	referrers "$repo" "$SUBJ" artifactType=application/vnd.example.sbom.v1
	assert_status 200
	assert_header OCI-Filters-Applied '^artifactType$'
	assert_referrers "$sbom"
	assert_json '.manifests[0].artifactType == "application/vnd.example.sbom.v1"'
}

@test "an artifactType filter that matches nothing gives an empty list" {
	repo=$(new_repo)
	subject_image "$repo"
	push_artifact "$repo" application/vnd.example.sbom.v1 "$SUBJ" "$SUBJ_SIZE"
	referrers "$repo" "$SUBJ" artifactType=application/vnd.example.none.v1
	assert_status 200
	assert_header OCI-Filters-Applied '^artifactType$'
	assert_json '.manifests == []'
}

@test "without a filter there is no OCI-Filters-Applied header" {
	repo=$(new_repo)
	subject_image "$repo"
	push_artifact "$repo" application/vnd.example.sbom.v1 "$SUBJ" "$SUBJ_SIZE"
	referrers "$repo" "$SUBJ"
	assert_status 200
	refute_header OCI-Filters-Applied
	assert_referrers "$ART_DIGEST"
}

@test "deleting a referrer removes it from the list" {
	repo=$(new_repo)
	subject_image "$repo"
	push_artifact "$repo" application/vnd.example.sbom.v1 "$SUBJ" "$SUBJ_SIZE"
	gone=$ART_DIGEST
	push_artifact "$repo" application/vnd.example.sig.v1 "$SUBJ" "$SUBJ_SIZE"
	kept=$ART_DIGEST
	reg DELETE "/v2/$repo/manifests/$gone"
	assert_status 202
	referrers "$repo" "$SUBJ"
	assert_status 200
	assert_referrers "$kept"
}

@test "an index with a subject is listed with its own artifactType" {
	repo=$(new_repo)
	subject_image "$repo"
	make_image "$repo"
	idx=$(tmp_file index)
	printf '{"schemaVersion":2,"mediaType":"%s","artifactType":"application/vnd.example.bundle.v1","manifests":[{"mediaType":"%s","digest":"%s","size":%d}],"subject":{"mediaType":"%s","digest":"%s","size":%d},"annotations":{"org.example.bundle":"%s"}}' \
		"$MT_OCI_INDEX" "$MT_OCI_MANIFEST" "$IMG_DIGEST" "$(size_of "$IMG_MANIFEST")" \
		"$MT_OCI_MANIFEST" "$SUBJ" "$SUBJ_SIZE" "$(nonce)" >"$idx"
	d=$(digest_of "$idx")
	put_manifest "$repo" "$d" "$idx"
	assert_status 201
	assert_equal "$(header OCI-Subject)" "$SUBJ"
	referrers "$repo" "$SUBJ"
	assert_status 200
	assert_referrers "$d"
	assert_json ".manifests[0].mediaType == \"$MT_OCI_INDEX\""
	assert_json ".manifests[0].size == $(size_of "$idx")"
	assert_json '.manifests[0].artifactType == "application/vnd.example.bundle.v1"'
	assert_json '.manifests[0].annotations["org.example.bundle"] | type == "string"'
}

@test "an index with a subject and no artifactType is listed without one" {
	repo=$(new_repo)
	subject_image "$repo"
	make_image "$repo"
	idx=$(tmp_file index)
	printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","digest":"%s","size":%d}],"subject":{"mediaType":"%s","digest":"%s","size":%d}}' \
		"$MT_OCI_INDEX" "$MT_OCI_MANIFEST" "$IMG_DIGEST" "$(size_of "$IMG_MANIFEST")" \
		"$MT_OCI_MANIFEST" "$SUBJ" "$SUBJ_SIZE" >"$idx"
	d=$(digest_of "$idx")
	push_manifest "$repo" "$d" "$idx"
	referrers "$repo" "$SUBJ"
	assert_status 200
	assert_referrers "$d"
	assert_json '.manifests[0] | has("artifactType") | not'
}

@test "referrers of an invalid digest is 400 DIGEST_INVALID" {
	repo=$(new_repo)
	subject_image "$repo"
	referrers "$repo" sha256:0123abc
	assert_error 400 DIGEST_INVALID
	referrers "$repo" "sha256:$(printf 'Z%.0s' {1..64})"
	assert_error 400 DIGEST_INVALID
	referrers "$repo" latest
	assert_error 400 DIGEST_INVALID
}
