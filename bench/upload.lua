-- wrk script for ab.sh CASE=upload: every request is a POST with a 100 KiB body (the origin answers 1 KiB).
wrk.method = "POST"
wrk.body = string.rep("u", 102400)
wrk.headers["Content-Type"] = "application/octet-stream"
