# group by over 10^6 rows with a computed key: count and sum per group; prints a summary.
rows = [{"id": i, "v": (i * 37) % 101} for i in range(1000000)]
groups = {}
for r in rows:
    groups.setdefault((r["id"] * 31) % 1000, []).append(r)
stats = [[k, len(g), sum(x["v"] for x in g)] for k, g in groups.items()]
n = sum(s[1] for s in stats)
total = sum(s[2] for s in stats)
print(len(stats), n, total, stats[0], stats[999])
