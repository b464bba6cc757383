# Inner equi-join of two 100 000-row lists on an int key; prints the row count and a checksum.
left = [{"id": i, "k": (i * 7919) % 100000, "v": i % 13} for i in range(100000)]
right = [{"k": (i * 104729) % 100000, "w": i % 17} for i in range(100000)]
index = {}
for b in right:
    index.setdefault(b["k"], []).append(b)
rows = [a["v"] * b["w"] + a["id"] for a in left for b in index.get(a["k"], [])]
print(len(rows), sum(rows))
