// gen_store.mjs — known-answer CIDs for decc's UnixFS importer, produced by
// the official ipfs-unixfs-importer with Kubo's default settings.
//
// Usage (outside the repository, network needed only for npm install):
//   mkdir -p /work/scratch/store && cd /work/scratch/store
//   npm install ipfs-unixfs-importer blockstore-core
//   cp /work/main/tools/vectors/gen_store.mjs . && node gen_store.mjs > /work/main/tests/vectors/store/unixfs.json
//   (ESM resolves packages next to the script, hence the copy)
//
// File contents come from a seeded PRNG so the C tests regenerate the same
// bytes instead of committing big files:
//   xorshift32 (x ^= x << 13; x ^= x >>> 17; x ^= x << 5, all mod 2^32),
//   seed = (size mod 2^32) XOR 0x2545F491 (1 if that is 0); each step yields
//   4 bytes, least-significant first; the file is the first `size` bytes.
// Profiles: "v0" = Kubo default (CIDv0, dag-pb leaves of UnixFS File type),
//           "v1" = Kubo `--cid-version 1` (CIDv1, raw leaves).
// For small and boundary files every node of the DAG is listed (CID, block
// size, links); for the big ones only the root and its links.
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { MemoryBlockstore } from 'blockstore-core/memory'
import * as dagPb from '@ipld/dag-pb'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

const pkgVersion = (name) => JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url))).version

const CHUNK = 262144

function prng (size) {
  const out = new Uint8Array(size)
  let x = ((size >>> 0) ^ 0x2545F491) >>> 0
  if (x === 0) x = 1
  const words = Math.ceil(size / 4)
  const w = new Uint32Array(words)
  for (let i = 0; i < words; i++) {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    w[i] = x
  }
  // little-endian host (x86): the Uint32Array bytes are the LSB-first stream
  out.set(new Uint8Array(w.buffer, 0, size))
  return out
}

function profile (v) {
  return {
    cidVersion: v,
    rawLeaves: v === 1,
    chunker: fixedSize({ chunkSize: CHUNK }),
    layout: balanced({ maxChildrenPerNode: 174 }),
    reduceSingleLeafToSelf: true,
    wrapWithDirectory: false
  }
}

async function add (content, v) {
  const bs = new MemoryBlockstore()
  let last
  for await (const e of importer([{ content }], bs, profile(v))) last = e
  return { bs, root: last.cid, size: last.size }
}

async function blockOf (bs, cid) {
  const r = await bs.get(cid)
  if (r instanceof Uint8Array) return r
  // blockstore-core 7 may return an async iterable of chunks
  const parts = []
  for await (const p of r) parts.push(p)
  return Buffer.concat(parts)
}

async function listDag (bs, root, full) {
  const nodes = []
  const seen = new Set()
  const queue = [root]
  while (queue.length) {
    const cid = queue.shift()
    const key = cid.toString()
    if (seen.has(key)) continue
    seen.add(key)
    const block = await blockOf(bs, cid)
    const links = []
    if (cid.code === dagPb.code) {
      const node = dagPb.decode(block)
      for (const l of node.Links) {
        links.push({ cid: l.Hash.toString(), tsize: l.Tsize })
        if (full) queue.push(l.Hash)
      }
    }
    nodes.push({ cid: key, size: block.length, links })
    if (!full) break
  }
  return nodes
}

const sizes = [0, 1, 262143, 262144, 262145, 174 * CHUNK - 1, 174 * CHUNK,
  174 * CHUNK + 1, 175 * CHUNK, 50 * 1024 * 1024]
const files = []
for (const size of sizes) {
  const data = prng(size)
  const entry = {
    size,
    sha256: createHash('sha256').update(data).digest('hex')
  }
  for (const v of [0, 1]) {
    const { bs, root, size: tsize } = await add(data, v)
    const full = size <= 175 * CHUNK
    entry['v' + v] = {
      root: root.toString(),
      cumulative_size: Number(tsize),
      dag_listing: full ? 'full' : 'root',
      nodes: await listDag(bs, root, full)
    }
  }
  files.push(entry)
  process.stderr.write(`size ${size}: ${entry.v0.root} ${entry.v1.root}\n`)
}

const hello = new TextEncoder().encode('hello world\n')
const h0 = await add(hello, 0)
const h1 = await add(hello, 1)
const out = {
  description: 'UnixFS importer known answers (ipfs-unixfs-importer, Kubo defaults); see tools/vectors/gen_store.mjs',
  generator: 'tools/vectors/gen_store.mjs',
  importer: 'ipfs-unixfs-importer ' + pkgVersion('ipfs-unixfs-importer'),
  chunk_size: CHUNK,
  max_links: 174,
  prng: 'xorshift32, seed = (size mod 2^32) ^ 0x2545F491 (1 if 0), 4 bytes per step LSB first',
  hello: {
    text: 'hello world\n',
    v0: { root: h0.root.toString(), cumulative_size: Number(h0.size) },
    v1: { root: h1.root.toString(), cumulative_size: Number(h1.size) }
  },
  files
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n')
