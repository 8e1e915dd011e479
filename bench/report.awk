# report.awk: turn bench/run's raw results into a markdown table
#
# Input: lines "RUN<TAB>ENTITY<TAB>METRIC<TAB>VALUE" (VALUE "NA" = failed).
# Variables: targets = "berth-l berth-a ref" (those measured),
#            chart = file for the gnuplot data (ratios, higher = berth better).
# Figures are medians over the runs; a ratio is the median of the per-run
# ratios (each run compares servers measured minutes apart, not hours).
# Portable awk (mawk): no asort, no length(array).

BEGIN {
	FS = "\t"
	# metric | label | unit | better (hi/lo) | ceiling metric | ceiling
	# entity kind (ceil/static) | target vs reference | target vs ceiling |
	# target on the value itself | in the chart (1/0)
	n = 0
	row[++n] = "up_mono|Upload, monolithic|MiB/s|hi|up_mono|ceil|>=2|>=0.8||1"
	row[++n] = "up_chunked|Upload, chunked (PATCH + PUT)|MiB/s|hi|||>=4|||1"
	row[++n] = "chunk_over_mono|Chunked / monolithic, same server|x|hi|||||>=0.9|0"
	row[++n] = "get|Blob GET, whole|MiB/s|hi|get|static|>=1|>=0.9||1"
	row[++n] = "get_range|Blob GET, range from the middle|MiB/s|hi|get_range|static||||1"
	split("mget mhead bhead tags tagw", ep, " ")
	split("Manifest GET|Manifest HEAD|Blob HEAD|Tags list (all tags)|Tag write (manifest PUT)", el, "|")
	split("hello_get hello_head hello_head hello_get -", ec, " ")
	for (i = 1; i <= 5; i++) {
		for (c = 1; c <= 32; c += 31) {
			m = ep[i] "_c" c
			cm = ec[i] == "-" ? "" : ec[i] "_c" c
			ck = cm == "" ? "" : "ceil"
			rt = ""
			ct = ""
			if (c == 32 && (ep[i] == "mget" || ep[i] == "mhead" || ep[i] == "bhead")) {
				rt = ">=5"
				ct = ">=0.5"
			}
			if (ep[i] == "tags" || ep[i] == "tagw")
				rt = ">=3"
			row[++n] = m "_rps|" el[i] ", c=" c "|req/s|hi|" cm (cm == "" ? "" : "_rps") "|" ck "|" rt "|" ct "||1"
			row[++n] = m "_p50|" el[i] ", c=" c ", p50|ms|lo|" cm (cm == "" ? "" : "_p50") "|" ck "||||0"
			rt = (c == 32 && (ep[i] == "mget" || ep[i] == "mhead" || ep[i] == "bhead")) ? "<1" : ""
			row[++n] = m "_p99|" el[i] ", c=" c ", p99|ms|lo|" cm (cm == "" ? "" : "_p99") "|" ck "|" rt "|||" (c == 32 ? 1 : 0)
		}
	}
	row[++n] = "cat_small_ms|Catalog first page (n=100), small|ms|lo|||<=0.2|||1"
	row[++n] = "cat_large_ms|Catalog first page (n=100), large|ms|lo|||<=0.2|||1"
	row[++n] = "cat_growth|Catalog large / small|x|lo|||||<=2|0"
	row[++n] = "push_s|skopeo push, 5 layers|s|lo|||<=0.8|||1"
	row[++n] = "pull_s|skopeo pull, 5 layers|s|lo|||<=0.8|||1"
	row[++n] = "rss_mib|Total RSS, end of run|MiB|lo|||<=0.5|||1"
	row[++n] = "pss_mib|Total PSS, end of run|MiB|lo||||||0"
	nrows = n
}

{
	if ($4 == "NA" || $4 == "")
		next
	v[$1 SUBSEP $2 SUBSEP $3] = $4
	if (!($1 in seenrun)) {
		seenrun[$1] = 1
		runs[++nruns] = $1
	}
}

function med(arr, k,    i, j, t) {
	# arr[1..k], sorted in place (insertion sort: k is small)
	for (i = 2; i <= k; i++) {
		t = arr[i]
		for (j = i - 1; j >= 1 && arr[j] > t; j--)
			arr[j + 1] = arr[j]
		arr[j + 1] = t
	}
	if (k == 0)
		return ""
	if (k % 2)
		return arr[(k + 1) / 2]
	return (arr[k / 2] + arr[k / 2 + 1]) / 2
}

# Median over the runs of one entity's metric.
function medval(ent, m,    i, k, a, key) {
	k = 0
	for (i = 1; i <= nruns; i++) {
		key = runs[i] SUBSEP ent SUBSEP m
		if (key in v)
			a[++k] = v[key] + 0
	}
	return med(a, k)
}

# Median over the runs of (e1's m1) / (e2's m2).
function medratio(e1, m1, e2, m2,    i, k, a, k1, k2) {
	k = 0
	for (i = 1; i <= nruns; i++) {
		k1 = runs[i] SUBSEP e1 SUBSEP m1
		k2 = runs[i] SUBSEP e2 SUBSEP m2
		if ((k1 in v) && (k2 in v) && v[k2] + 0 > 0)
			a[++k] = v[k1] / v[k2]
	}
	return med(a, k)
}

function fmt(x) {
	if (x == "")
		return "-"
	x += 0
	if (x >= 1000)
		return sprintf("%.0f", x)
	if (x >= 100)
		return sprintf("%.0f", x)
	if (x >= 10)
		return sprintf("%.1f", x)
	return sprintf("%.2f", x)
}

function fmtr(x) {
	return x == "" ? "-" : sprintf("%.2f", x)
}

# "ok", "MISS" or "" for one ratio against a target like ">=2" or "<1".
function check(r, t,    op, lim) {
	if (t == "" || r == "")
		return ""
	if (t ~ /^>=/) return (r >= substr(t, 3) + 0) ? "ok" : "MISS"
	if (t ~ /^<=/) return (r <= substr(t, 3) + 0) ? "ok" : "MISS"
	if (t ~ /^</) return (r < substr(t, 2) + 0) ? "ok" : "MISS"
	if (t ~ /^>/) return (r > substr(t, 2) + 0) ? "ok" : "MISS"
	return ""
}

function combine(a, b) {
	if (a == "MISS" || b == "MISS")
		return "MISS"
	if (a == "ok" || b == "ok")
		return "ok"
	return ""
}

END {
	# Derived per-run metrics.
	nt = split(targets, T, " ")
	for (i = 1; i <= nruns; i++) {
		for (j = 1; j <= nt; j++) {
			e = T[j]
			a1 = runs[i] SUBSEP e SUBSEP "up_chunked"
			a2 = runs[i] SUBSEP e SUBSEP "up_mono"
			if ((a1 in v) && (a2 in v) && v[a2] > 0)
				v[runs[i] SUBSEP e SUBSEP "chunk_over_mono"] = v[a1] / v[a2]
			a1 = runs[i] SUBSEP e SUBSEP "cat_large_ms"
			a2 = runs[i] SUBSEP e SUBSEP "cat_small_ms"
			if ((a1 in v) && (a2 in v) && v[a2] > 0)
				v[runs[i] SUBSEP e SUBSEP "cat_growth"] = v[a1] / v[a2]
		}
	}
	has_l = targets ~ /berth-l/
	has_a = targets ~ /berth-a/
	hdr = "| measurement | unit |"
	sep = "|---|---|"
	if (has_l) {
		hdr = hdr " lighttpd ceiling | berth+lighttpd | / ceiling |"
		sep = sep "---:|---:|---:|"
	}
	if (has_a) {
		hdr = hdr " Apache ceiling | berth+Apache | / ceiling |"
		sep = sep "---:|---:|---:|"
	}
	hdr = hdr " reference |"
	sep = sep "---:|"
	if (has_l) { hdr = hdr " lighttpd / ref |"; sep = sep "---:|" }
	if (has_a) { hdr = hdr " Apache / ref |"; sep = sep "---:|" }
	hdr = hdr " target | meets |"
	sep = sep "---|---|"
	print hdr
	print sep
	if (chart != "") {
		printf "measurement" > chart
		if (has_l) printf "\tberth+lighttpd" > chart
		if (has_a) printf "\tberth+Apache" > chart
		printf "\n" > chart
	}
	for (ri = 1; ri <= nrows; ri++) {
		split(row[ri], f, "|")
		m = f[1]; label = f[2]; unit = f[3]; better = f[4]
		cm = f[5]; ck = f[6]; rt = f[7]; ct = f[8]; st = f[9]; inchart = f[10]
		line = "| " label " | " unit " |"
		verdict = ""
		chartline = label
		any = 0
		for (s = 1; s <= 2; s++) {
			x = s == 1 ? "l" : "a"
			if ((s == 1 && !has_l) || (s == 2 && !has_a))
				continue
			b = "berth-" x
			bv = medval(b, m)
			if (bv != "") any = 1
			cv = ""
			cr = ""
			if (cm != "") {
				ce = (ck == "static" ? "static-" : "ceil-") x
				cv = medval(ce, cm)
				cr = medratio(b, m, ce, cm)
			}
			line = line " " fmt(cv) " | " fmt(bv) " | " fmtr(cr) " |"
			rr[x] = medratio(b, m, "ref", m)
			ok = combine(check(rr[x], rt), check(cr, ct))
			ok = combine(ok, check(bv, st))
			res[x] = ok
		}
		line = line " " fmt(medval("ref", m)) " |"
		for (s = 1; s <= 2; s++) {
			x = s == 1 ? "l" : "a"
			if ((s == 1 && !has_l) || (s == 2 && !has_a))
				continue
			line = line " " fmtr(rr[x]) " |"
			if (rr[x] != "" && rr[x] > 0)
				chartline = chartline "\t" (better == "hi" ? rr[x] : 1 / rr[x])
			else
				chartline = chartline "\t0"
		}
		tgt = ""
		if (rt != "") tgt = tgt (tgt == "" ? "" : ", ") rt " ref"
		if (ct != "") tgt = tgt (tgt == "" ? "" : ", ") ct " ceiling"
		if (st != "") tgt = tgt (tgt == "" ? "" : ", ") st
		verdict = ""
		if (has_l && res["l"] != "") verdict = "lighttpd " res["l"]
		if (has_a && res["a"] != "") verdict = verdict (verdict == "" ? "" : ", ") "Apache " res["a"]
		line = line " " tgt " | " verdict " |"
		if (!any && medval("ref", m) == "")
			continue
		print line
		if (chart != "" && inchart == 1 && any)
			print chartline > chart
	}
	print ""
	print "Ceilings: uploads = a FastCGI program that only reads and SHA-256-hashes the body (bench/fcgi-hash.c);"
	print "blob GET = the web server serving the same file statically; small requests = a FastCGI \"hello\""
	print "(bench/fcgi-hello.c).  The ceilings run behind the same server configuration as berth (httpd-conf/)."
	print "Ratios are medians of per-run ratios; for ms, s and MiB lower is better, for MiB/s and req/s higher."
}
