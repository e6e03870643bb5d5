#!/usr/bin/env python3
"""check_docs.py — every link in the docs resolves, every fact the code cites
lives in the repository's docs/.

Two things rot silently in a codebase that documents its formats: a markdown
link to a page or heading that was renamed, and a comment citing
"iexec-protocol.md §4.5" (or a page under docs/) after the section or the
page moved or never existed in this repository. This check reads every
markdown file and every source file and lists each broken reference with its
file and line. Usage: check_docs.py [REPO_ROOT]; exit 0 = clean, 1 = listed.
"""
import os
import re
import sys

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), "..", ".."))
SKIP_DIRS = {".git", "node_modules"}
CODE_DIRS = ["lib", "cli", "include", "tools", "tests", "bench", "fuzz",
             "python", "scripts", "examples", "cmake"]
CODE_EXT = (".c", ".h", ".sh", ".py", ".mjs", ".js", ".cmake", ".txt", ".def")


def walk(top, exts):
    for d, dirs, files in os.walk(top):
        dirs[:] = sorted(x for x in dirs
                         if x not in SKIP_DIRS and not x.startswith("build"))
        for f in sorted(files):
            if f.endswith(exts):
                yield os.path.join(d, f)


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped,
    spaces to hyphens (markup characters removed first)."""
    h = re.sub(r"[`*_]|<[^>]+>", "", heading.strip().lower())
    h = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", h)
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")


_anchors = {}


def anchors(path):
    if path not in _anchors:
        seen, out = {}, set()
        fence = False
        for line in open(path, encoding="utf-8"):
            if line.startswith("```"):
                fence = not fence
            m = None if fence else re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
            if m:
                s = slug(m.group(1))
                n = seen.get(s, 0)
                seen[s] = n + 1
                out.add(s if n == 0 else "%s-%d" % (s, n))
        for m in re.finditer(r'<a\s+(?:name|id)="([^"]+)"',
                             open(path, encoding="utf-8").read()):
            out.add(m.group(1))
        _anchors[path] = out
    return _anchors[path]


def sections(path):
    """Section numbers of a page: '## 4. SMS' gives 4, '### 4.5 …' 4.5."""
    out = set()
    for line in open(path, encoding="utf-8"):
        m = re.match(r"#{1,6}\s+(\d+(?:\.\d+)*)\.?\s", line)
        if m:
            out.add(m.group(1))
    return out


docs_by_name = {}
for p in walk(os.path.join(root, "docs"), (".md",)):
    docs_by_name.setdefault(os.path.basename(p), []).append(p)
for top in ("README.md", "CONTRIBUTING.md"):
    if os.path.exists(os.path.join(root, top)):
        docs_by_name.setdefault(top, []).append(os.path.join(root, top))

errors = []


def rel(p):
    return os.path.relpath(p, root)


# 1. Markdown links.
md_files = [p for p in walk(root, (".md",))]
link_re = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
for md in md_files:
    fence = False
    for no, line in enumerate(open(md, encoding="utf-8"), 1):
        if line.lstrip().startswith("```"):
            fence = not fence
            continue
        if fence:
            continue
        for m in link_re.finditer(re.sub(r"`[^`]*`", "", line)):
            target = m.group(1)
            if re.match(r"[a-z]+:", target):
                continue  # http:, https:, mailto:
            path, _, frag = target.partition("#")
            dest = md if not path else os.path.normpath(
                os.path.join(os.path.dirname(md), path))
            if not os.path.exists(dest):
                errors.append("%s:%d: link to %s: no such file" %
                              (rel(md), no, target))
            elif frag and dest.endswith(".md") and frag not in anchors(dest):
                errors.append("%s:%d: link to %s: no heading with anchor #%s"
                              % (rel(md), no, target, frag))

# 2. Pages and sections cited by the code.
cite_re = re.compile(r"((?:docs/)?[\w./-]*?[\w-]+\.md)(?:\s*§\s*(\d+(?:\.\d+)*))?")
for top in CODE_DIRS + [".", "docs"]:
    base = os.path.join(root, top)
    exts = (".md",) if top == "docs" else CODE_EXT
    files = walk(base, exts) if top != "." else (
        os.path.join(root, f) for f in sorted(os.listdir(root))
        if f.endswith(CODE_EXT) and os.path.isfile(os.path.join(root, f)))
    for src in files:
        try:
            text = open(src, encoding="utf-8").read()
        except UnicodeDecodeError:
            continue
        for no, line in enumerate(text.splitlines(), 1):
            if src.endswith(".md"):
                line = link_re.sub("", line)  # links were checked above
            for m in cite_re.finditer(line):
                name, sec = m.group(1), m.group(2)
                if m.start() > 0 and line[m.start() - 1] in ":/`'":
                    continue  # an upstream source ("iexec-sdk:CHANGELOG.md")
                if "/" in name and not name.startswith("docs/"):
                    # a path relative to something else (tests' fixtures…):
                    # check it only if it names a docs page
                    if "docs/" not in name:
                        continue
                    name = name[name.index("docs/"):]
                if name.startswith("docs/"):
                    cand = [os.path.join(root, name)]
                    cand = [c for c in cand if os.path.exists(c)]
                else:
                    cand = docs_by_name.get(os.path.basename(name), [])
                if not cand:
                    errors.append("%s:%d: cites %s, which is not in this "
                                  "repository's docs/" % (rel(src), no, name))
                    continue
                if sec and not any(sec in sections(c) for c in cand):
                    errors.append("%s:%d: cites %s §%s: no such section" %
                                  (rel(src), no, name, sec))

for e in errors:
    print(e)
if errors:
    print("%d broken references (fix the link or the citation, or add the "
          "fact to docs/)" % len(errors))
    sys.exit(1)
print("docs: %d markdown files, every link and citation resolves" %
      len(md_files))
