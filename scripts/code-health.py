#!/usr/bin/env python3
# Usage: python3 scripts/code-health.py [repository root, default .]
"""Code-health figures: longest Rust fn and file, longest Svelte component,
module import cycles in fieldkit-core (use crate::a / use super::b between
sibling files), try/catch blocks in the UI."""
import os, re, sys, itertools
root = sys.argv[1] if len(sys.argv) > 1 else "."
def files(base, ext):
    for d, _, fs in os.walk(os.path.join(root, base)):
        if 'node_modules' in d or 'bindings' in d or '/target' in d: continue
        for f in fs:
            if f.endswith(ext): yield os.path.join(d, f)
longest_fn = (0, '')
longest_file = (0, '')
for p in [q for q in itertools.chain(files('src-tauri/src', '.rs'), files('src-tauri/core/src', '.rs')) if '/bin/' not in q]:
    lines = open(p).read().split('\n')
    longest_file = max(longest_file, (len(lines), os.path.relpath(p, root)))
    for i, l in enumerate(lines):
        m = re.match(r'^(\s*)(pub(\([a-z]+\))? )?(async )?fn (\w+)', l)
        if not m: continue
        indent = m.group(1)
        for j in range(i, min(i + 2000, len(lines))):
            if lines[j] == indent + '}':
                longest_fn = max(longest_fn, (j - i + 1, f"{os.path.relpath(p, root)}::{m.group(5)}"))
                break
svelte = max((len(open(p).read().split('\n')), os.path.relpath(p, root)) for p in files('ui/src', '.svelte'))
tries = sum(len(re.findall(r'\btry\s*\{', open(p).read())) for p in itertools.chain(files('ui/src', '.svelte'), files('ui/src', '.ts')))
# module graph of core: file module path -> referenced sibling modules
core = os.path.join(root, 'src-tauri/core/src')
def modname(p):
    rel = os.path.relpath(p, core)[:-3].split('/')
    if rel[-1] in ('mod', 'lib'): rel = rel[:-1]
    return '::'.join(rel)
mods = {modname(p): p for p in files('src-tauri/core/src', '.rs') if '/bin/' not in p}
edges = {m: set() for m in mods}
for m, p in mods.items():
    text = open(p).read()
    text = text.split('#[cfg(test)]')[0]
    parent = m.rsplit('::', 1)[0] if '::' in m else ''
    for ref in re.findall(r'use (crate|super)::([a-z_]+)(::([a-z_]+))?', text):
        base = ref[1] if ref[0] == 'crate' else (parent + '::' + ref[1] if parent else ref[1])
        deeper = base + '::' + ref[3] if ref[3] else None
        target = deeper if deeper in mods else base
        if target in mods and target != m and not m.startswith(target + '::') and not target.startswith(m + '::'):
            edges[m].add(target)
cycles = sorted({tuple(sorted((a, b))) for a in edges for b in edges[a] if a in edges.get(b, ())})
print(f"longest Rust fn: {longest_fn[0]} lines ({longest_fn[1]})")
print(f"longest Rust file: {longest_file[0]} lines ({longest_file[1]})")
print(f"longest Svelte component: {svelte[0]} lines ({svelte[1]})")
print(f"try blocks in ui/src: {tries}")
print(f"two-module import cycles in fieldkit-core: {len(cycles)} {cycles}")
