#!/usr/bin/env bats
# 30-manifests.bats: PUT, GET, HEAD and DELETE of /v2/<name>/manifests/<ref>

load helpers
load lib_manifests

# new_manifest REPO: push blobs and write an OCI image manifest for them to
# M; sets M and D (its digest) but does not push it.
new_manifest() {
	push_image_blobs "$1" || return 1
	M=$(tmp_file manifest)
	write_oci_manifest "$M" "$CFG" "$CFG_SIZE" "$LAYER" "$LAYER_SIZE"
	D=$(digest_of "$M")
}

# pad_manifest OUT SIZE: an otherwise valid OCI image manifest (blobs from
# push_image_blobs) padded with an annotation to exactly SIZE bytes.
pad_manifest() {
	local pre post n
	pre=$(printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","digest":"%s","size":%d},"layers":[{"mediaType":"%s","digest":"%s","size":%d}],"annotations":{"pad":"' \
		"$MT_OCI_MANIFEST" "$MT_OCI_CONFIG" "$CFG" "$CFG_SIZE" "$MT_OCI_LAYER" "$LAYER" "$LAYER_SIZE")
	post='"}}'
	n=$(($2 - ${#pre} - ${#post}))
	{
		printf '%s' "$pre"
		head -c "$n" /dev/zero | tr '\0' x
		printf '%s' "$post"
	} >"$1"
	[ "$(size_of "$1")" -eq "$2" ]
}

# --- push -----------------------------------------------------------------

@test "PUT of an OCI image manifest by tag is 201 with Location and digest" {
	repo=$(new_repo)
	new_manifest "$repo"
	put_manifest "$repo" latest "$M"
	assert_status 201
	assert_location "/v2/$repo/manifests/$D"
	assert_equal "$(header Docker-Content-Digest)" "$D"
}

@test "PUT of an OCI image manifest by digest is 201 with Location and digest" {
	repo=$(new_repo)
	new_manifest "$repo"
	put_manifest "$repo" "$D" "$M"
	assert_status 201
	assert_location "/v2/$repo/manifests/$D"
	assert_equal "$(header Docker-Content-Digest)" "$D"
}

@test "a pushed manifest is stored byte for byte, with its revision and tag" {
	repo=$(new_repo)
	new_manifest "$repo"
	put_manifest "$repo" v1 "$M"
	assert_status 201
	assert_stored "$D" "$M"
	assert_exists "$(revision_path "$repo" "$D")"
	assert_exists "$(tag_path "$repo" v1)"
}

@test "manifest bytes are kept exactly, odd whitespace and key order included" {
	repo=$(new_repo)
	push_image_blobs "$repo"
	m=$(tmp_file odd)
	printf '{\n\t"layers" : [ {"size":%d,  "digest":"%s",\r\n "mediaType":"%s"} ],\n  "config":{"digest":"%s","mediaType":"%s","size":%d} ,"mediaType":   "%s",\n"schemaVersion" :2, "annotations":{"k":"\\u00e9 %s"}   }\n\n' \
		"$LAYER_SIZE" "$LAYER" "$MT_OCI_LAYER" "$CFG" "$MT_OCI_CONFIG" "$CFG_SIZE" "$MT_OCI_MANIFEST" "$(nonce)" >"$m"
	d=$(digest_of "$m")
	put_manifest "$repo" odd "$m" "$MT_OCI_MANIFEST"
	assert_status 201
	assert_equal "$(header Docker-Content-Digest)" "$d"
	pull_manifest GET "$repo" odd
	assert_status 200
	assert_body_file "$m"
	assert_equal "$(header Docker-Content-Digest)" "$d"
}

@test "pushing the same manifest twice succeeds both times with one digest" {
	repo=$(new_repo)
	new_manifest "$repo"
	put_manifest "$repo" a "$M"
	assert_status 201
	put_manifest "$repo" a "$M"
	assert_status 201
	assert_equal "$(header Docker-Content-Digest)" "$D"
	pull_manifest GET "$repo" a
	assert_body_file "$M"
}

@test "a Docker schema 2 manifest is accepted and served with its media type" {
	repo=$(new_repo)
	push_image_blobs "$repo"
	m=$(tmp_file docker)
	printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","size":%d,"digest":"%s"},"layers":[{"mediaType":"%s","size":%d,"digest":"%s"}]}' \
		"$MT_DOCKER_MANIFEST" "$MT_DOCKER_CONFIG" "$CFG_SIZE" "$CFG" "$MT_DOCKER_LAYER" "$LAYER_SIZE" "$LAYER" >"$m"
	d=$(digest_of "$m")
	put_manifest "$repo" docker "$m"
	assert_status 201
	assert_equal "$(header Docker-Content-Digest)" "$d"
	pull_manifest GET "$repo" "$d"
	assert_status 200
	assert_equal "$(header Content-Type)" "$MT_DOCKER_MANIFEST"
	assert_body_file "$m"
}

@test "an OCI index of manifests in the repository is accepted and served" {
	repo=$(new_repo)
	make_image "$repo"
	m1=$IMG_MANIFEST
	make_image "$repo"
	m2=$IMG_MANIFEST
	idx=$(tmp_file index)
	write_index "$idx" "$MT_OCI_INDEX" "$m1" "$m2"
	d=$(digest_of "$idx")
	put_manifest "$repo" multi "$idx"
	assert_status 201
	assert_location "/v2/$repo/manifests/$d"
	assert_equal "$(header Docker-Content-Digest)" "$d"
	pull_manifest GET "$repo" multi
	assert_status 200
	assert_equal "$(header Content-Type)" "$MT_OCI_INDEX"
	assert_body_file "$idx"
}

@test "a Docker manifest list is accepted and served with its media type" {
	repo=$(new_repo)
	push_image_blobs "$repo"
	m=$(tmp_file docker)
	printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","size":%d,"digest":"%s"},"layers":[{"mediaType":"%s","size":%d,"digest":"%s"}]}' \
		"$MT_DOCKER_MANIFEST" "$MT_DOCKER_CONFIG" "$CFG_SIZE" "$CFG" "$MT_DOCKER_LAYER" "$LAYER_SIZE" "$LAYER" >"$m"
	push_manifest "$repo" "$(digest_of "$m")" "$m"
	list=$(tmp_file list)
	write_index "$list" "$MT_DOCKER_LIST" "$m"
	d=$(digest_of "$list")
	put_manifest "$repo" list "$list"
	assert_status 201
	assert_equal "$(header Docker-Content-Digest)" "$d"
	pull_manifest GET "$repo" "$d"
	assert_status 200
	assert_equal "$(header Content-Type)" "$MT_DOCKER_LIST"
	assert_body_file "$list"
}

@test "an artifact manifest with the empty config and no layers is accepted" {
	repo=$(new_repo)
	push_artifact "$repo" application/vnd.example.thing.v1 "" 0 "{\"test.nonce\":\"$(nonce)\"}"
	assert_status 201
	assert_location "/v2/$repo/manifests/$ART_DIGEST"
	assert_equal "$(header Docker-Content-Digest)" "$ART_DIGEST"
	pull_manifest GET "$repo" "$ART_DIGEST"
	assert_status 200
	assert_equal "$(header Content-Type)" "$MT_OCI_MANIFEST"
	assert_body_file "$ART_FILE"
}

@test "a tag moves to the manifest pushed to it last" {
	repo=$(new_repo)
	make_image "$repo" latest
	old=$IMG_DIGEST
	make_image "$repo" latest
	new=$IMG_DIGEST
	pull_manifest GET "$repo" latest
	assert_status 200
	assert_equal "$(header Docker-Content-Digest)" "$new"
	assert_body_file "$IMG_MANIFEST"
	pull_manifest GET "$repo" "$old"
	assert_status 200
}

# --- pull -----------------------------------------------------------------

@test "GET by tag returns the exact bytes with type, digest and length" {
	repo=$(new_repo)
	make_image "$repo" v1
	pull_manifest GET "$repo" v1
	assert_status 200
	assert_body_file "$IMG_MANIFEST"
	assert_equal "$(header Content-Type)" "$MT_OCI_MANIFEST"
	assert_equal "$(header Docker-Content-Digest)" "$IMG_DIGEST"
	assert_equal "$(header Content-Length)" "$(size_of "$IMG_MANIFEST")"
}

@test "GET by digest returns the exact bytes with type, digest and length" {
	repo=$(new_repo)
	make_image "$repo"
	pull_manifest GET "$repo" "$IMG_DIGEST"
	assert_status 200
	assert_body_file "$IMG_MANIFEST"
	assert_equal "$(header Content-Type)" "$MT_OCI_MANIFEST"
	assert_equal "$(header Docker-Content-Digest)" "$IMG_DIGEST"
	assert_equal "$(header Content-Length)" "$(size_of "$IMG_MANIFEST")"
}

@test "GET by tag needs no Accept header" {
	repo=$(new_repo)
	make_image "$repo" v1
	reg GET "/v2/$repo/manifests/v1"
	assert_status 200
	assert_body_file "$IMG_MANIFEST"
	assert_equal "$(header Content-Type)" "$MT_OCI_MANIFEST"
}

@test "GET of a manifest sends an ETag containing its digest" {
	repo=$(new_repo)
	make_image "$repo" v1
	pull_manifest GET "$repo" v1
	assert_status 200
	assert_header ETag "$IMG_DIGEST"
}

@test "HEAD by tag sends the GET headers and no body" {
	repo=$(new_repo)
	make_image "$repo" v1
	pull_manifest HEAD "$repo" v1
	assert_status 200
	assert_equal "$(header Content-Type)" "$MT_OCI_MANIFEST"
	assert_equal "$(header Docker-Content-Digest)" "$IMG_DIGEST"
	assert_equal "$(header Content-Length)" "$(size_of "$IMG_MANIFEST")"
	assert_header ETag "$IMG_DIGEST"
	assert_body_empty
}

@test "HEAD by digest sends the GET headers and no body" {
	repo=$(new_repo)
	make_image "$repo"
	pull_manifest HEAD "$repo" "$IMG_DIGEST"
	assert_status 200
	assert_equal "$(header Content-Type)" "$MT_OCI_MANIFEST"
	assert_equal "$(header Docker-Content-Digest)" "$IMG_DIGEST"
	assert_equal "$(header Content-Length)" "$(size_of "$IMG_MANIFEST")"
	assert_body_empty
}

@test "HEAD of an unknown tag is 404" {
	repo=$(new_repo)
	make_image "$repo" v1
	pull_manifest HEAD "$repo" v2
	assert_status 404
	assert_body_empty
}

@test "GET of an unknown tag is 404 MANIFEST_UNKNOWN" {
	repo=$(new_repo)
	make_image "$repo" v1
	pull_manifest GET "$repo" v2
	assert_error 404 MANIFEST_UNKNOWN
}

@test "GET of an unknown digest is 404 MANIFEST_UNKNOWN" {
	repo=$(new_repo)
	make_image "$repo" v1
	pull_manifest GET "$repo" "$(random_digest)"
	assert_error 404 MANIFEST_UNKNOWN
}

@test "GET in an unknown repository is 404 MANIFEST_UNKNOWN or NAME_UNKNOWN" {
	repo=$(new_repo)
	pull_manifest GET "$repo" latest
	assert_status 404
	assert_json '.errors[0].code | test("^(MANIFEST_UNKNOWN|NAME_UNKNOWN)$")'
}

@test "a manifest is not readable through another repository" {
	repo=$(new_repo a)
	other=$(new_repo b)
	make_image "$other" v1
	make_image "$repo" v1
	pull_manifest GET "$other" "$IMG_DIGEST"
	assert_error 404 MANIFEST_UNKNOWN
}

# --- refused pushes -------------------------------------------------------

@test "PUT of invalid JSON is 400 MANIFEST_INVALID and stores nothing" {
	repo=$(new_repo)
	make_image "$repo" v1
	m=$(tmp_file bad)
	printf '{"schemaVersion":2,"mediaType":"%s","config":{"nonce":"%s"' "$MT_OCI_MANIFEST" "$(nonce)" >"$m"
	put_manifest "$repo" v2 "$m" "$MT_OCI_MANIFEST"
	assert_error 400 MANIFEST_INVALID
	refute_stored "$repo" "$(digest_of "$m")" v2
}

@test "PUT whose mediaType differs from Content-Type is 400 MANIFEST_INVALID" {
	repo=$(new_repo)
	new_manifest "$repo"
	put_manifest "$repo" v1 "$M" "$MT_OCI_INDEX"
	assert_error 400 MANIFEST_INVALID
	refute_stored "$repo" "$D" v1
}

@test "PUT with schemaVersion 1 is 400 MANIFEST_INVALID and stores nothing" {
	repo=$(new_repo)
	push_image_blobs "$repo"
	m=$(tmp_file v1)
	printf '{"schemaVersion":1,"mediaType":"%s","config":{"mediaType":"%s","digest":"%s","size":%d},"layers":[{"mediaType":"%s","digest":"%s","size":%d}]}' \
		"$MT_OCI_MANIFEST" "$MT_OCI_CONFIG" "$CFG" "$CFG_SIZE" "$MT_OCI_LAYER" "$LAYER" "$LAYER_SIZE" >"$m"
	put_manifest "$repo" v1 "$m"
	assert_error 400 MANIFEST_INVALID
	refute_stored "$repo" "$(digest_of "$m")" v1
}

@test "PUT naming an unknown config blob is 400 MANIFEST_BLOB_UNKNOWN" {
	repo=$(new_repo)
	push_image_blobs "$repo"
	m=$(tmp_file m)
	write_oci_manifest "$m" "$(random_digest)" 100 "$LAYER" "$LAYER_SIZE"
	put_manifest "$repo" v1 "$m"
	assert_error 400 MANIFEST_BLOB_UNKNOWN
	refute_stored "$repo" "$(digest_of "$m")" v1
}

@test "PUT naming an unknown layer blob is 400 MANIFEST_BLOB_UNKNOWN" {
	repo=$(new_repo)
	push_image_blobs "$repo"
	m=$(tmp_file m)
	write_oci_manifest "$m" "$CFG" "$CFG_SIZE" "$(random_digest)" 1000
	put_manifest "$repo" v1 "$m"
	assert_error 400 MANIFEST_BLOB_UNKNOWN
	refute_stored "$repo" "$(digest_of "$m")" v1
}

@test "PUT naming blobs held only by another repository is 400 MANIFEST_BLOB_UNKNOWN" {
	repo=$(new_repo a)
	other=$(new_repo b)
	make_image "$repo" v0
	new_manifest "$other"
	put_manifest "$repo" v1 "$M"
	assert_error 400 MANIFEST_BLOB_UNKNOWN
	refute_stored "$repo" "$D" v1
}

@test "an index with an entry unknown to the repository is 400 MANIFEST_BLOB_UNKNOWN" {
	repo=$(new_repo)
	make_image "$repo"
	known=$IMG_MANIFEST
	new_manifest "$repo"
	idx=$(tmp_file index)
	write_index "$idx" "$MT_OCI_INDEX" "$known" "$M"
	put_manifest "$repo" multi "$idx"
	assert_error 400 MANIFEST_BLOB_UNKNOWN
	refute_stored "$repo" "$(digest_of "$idx")" multi
}

@test "an index whose entry exists only in another repository is refused" {
	repo=$(new_repo a)
	other=$(new_repo b)
	make_image "$repo" v0
	make_image "$other"
	idx=$(tmp_file index)
	write_index "$idx" "$MT_OCI_INDEX" "$IMG_MANIFEST"
	put_manifest "$repo" multi "$idx"
	assert_error 400 MANIFEST_BLOB_UNKNOWN
	refute_stored "$repo" "$(digest_of "$idx")" multi
}

@test "PUT by a digest that does not match the body is 400 DIGEST_INVALID" {
	repo=$(new_repo)
	new_manifest "$repo"
	wrong=$(random_digest)
	put_manifest "$repo" "$wrong" "$M"
	assert_error 400 DIGEST_INVALID
	refute_stored "$repo" "$D"
	refute_exists "$(revision_path "$repo" "$wrong")"
	pull_manifest GET "$repo" "$wrong"
	assert_status 404
}

@test "PUT to a tag starting with '.' is 400 and creates no tag" {
	repo=$(new_repo)
	new_manifest "$repo"
	put_manifest "$repo" .hidden "$M"
	assert_status 400
	assert_json '.errors[0].code | test("^(TAG_INVALID|MANIFEST_INVALID)$")'
	refute_stored "$repo" "$D" .hidden
}

@test "PUT to a 129-character tag is 400 and creates no tag" {
	repo=$(new_repo)
	new_manifest "$repo"
	tag=$(printf 'a%.0s' {1..129})
	put_manifest "$repo" "$tag" "$M"
	assert_status 400
	assert_json '.errors[0].code | test("^(TAG_INVALID|MANIFEST_INVALID)$")'
	refute_stored "$repo" "$D" "$tag"
}

@test "PUT to a 128-character tag is accepted" {
	repo=$(new_repo)
	new_manifest "$repo"
	tag=_$(printf 'A.-9%.0s' {1..31})abc
	[ "${#tag}" -eq 128 ]
	put_manifest "$repo" "$tag" "$M"
	assert_status 201
	pull_manifest GET "$repo" "$tag"
	assert_status 200
	assert_body_file "$M"
}

@test "a manifest of exactly 4 MiB is accepted" {
	repo=$(new_repo)
	push_image_blobs "$repo"
	m=$(tmp_file big)
	pad_manifest "$m" $((4 * 1024 * 1024))
	put_manifest "$repo" big "$m"
	assert_status 201
	assert_equal "$(header Docker-Content-Digest)" "$(digest_of "$m")"
	pull_manifest GET "$repo" big
	assert_status 200
	assert_body_file "$m"
}

@test "a manifest over 4 MiB is 413 SIZE_INVALID and stores nothing" {
	repo=$(new_repo)
	push_image_blobs "$repo"
	m=$(tmp_file big)
	pad_manifest "$m" $((4 * 1024 * 1024 + 1))
	put_manifest "$repo" big "$m"
	assert_error 413 SIZE_INVALID
	refute_stored "$repo" "$(digest_of "$m")" big
}

@test "PUT to an invalid repository name is 400 NAME_INVALID" {
	repo=$(new_repo)
	bad=${repo/t\//t/Upper}
	m=$(tmp_file m)
	write_oci_manifest "$m" "$(random_digest)" 10 "$(random_digest)" 10
	put_manifest "$bad" latest "$m"
	assert_error 400 NAME_INVALID
	refute_exists "$(store_path "repositories/$bad")"
}

@test "GET with an invalid repository name is 400 NAME_INVALID" {
	reg GET "/v2/t/a..b/manifests/latest"
	assert_error 400 NAME_INVALID
}

# --- delete ---------------------------------------------------------------

@test "DELETE by digest is 202 and the manifest is gone" {
	repo=$(new_repo)
	make_image "$repo"
	reg DELETE "/v2/$repo/manifests/$IMG_DIGEST"
	assert_status 202
	pull_manifest GET "$repo" "$IMG_DIGEST"
	assert_error 404 MANIFEST_UNKNOWN
	refute_exists "$(revision_path "$repo" "$IMG_DIGEST")"
}

@test "DELETE by digest also removes every tag that pointed to it" {
	repo=$(new_repo)
	make_image "$repo" one
	push_manifest "$repo" two "$IMG_MANIFEST"
	reg DELETE "/v2/$repo/manifests/$IMG_DIGEST"
	assert_status 202
	for t in one two; do
		pull_manifest GET "$repo" "$t"
		assert_error 404 MANIFEST_UNKNOWN
		refute_exists "$(tag_path "$repo" "$t")"
	done
}

@test "DELETE by tag is 202 and removes only that tag" {
	repo=$(new_repo)
	make_image "$repo" one
	push_manifest "$repo" two "$IMG_MANIFEST"
	reg DELETE "/v2/$repo/manifests/one"
	assert_status 202
	pull_manifest GET "$repo" one
	assert_error 404 MANIFEST_UNKNOWN
	refute_exists "$(tag_path "$repo" one)"
	pull_manifest GET "$repo" two
	assert_status 200
	pull_manifest GET "$repo" "$IMG_DIGEST"
	assert_status 200
	assert_body_file "$IMG_MANIFEST"
}

@test "DELETE of an unknown digest is 404 MANIFEST_UNKNOWN" {
	repo=$(new_repo)
	make_image "$repo" v1
	reg DELETE "/v2/$repo/manifests/$(random_digest)"
	assert_error 404 MANIFEST_UNKNOWN
}

@test "DELETE of an unknown tag is 404 MANIFEST_UNKNOWN" {
	repo=$(new_repo)
	make_image "$repo" v1
	reg DELETE "/v2/$repo/manifests/v2"
	assert_error 404 MANIFEST_UNKNOWN
	pull_manifest GET "$repo" v1
	assert_status 200
}
