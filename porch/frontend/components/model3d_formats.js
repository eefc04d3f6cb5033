// Reading 3D model files for the Model3D viewer (model3d_viewer.js): .obj, .stl (ASCII and
// binary), .gltf/.glb (glTF 2.0 without compression extensions), .ply (ASCII and binary)
// and .splat (Gaussian-splat point lists, drawn as coloured points).
//
// Every reader returns one flat mesh: { kind: "triangles" | "points", positions:
// Float32Array (x, y, z per vertex; triangles are not indexed), colors: Float32Array | null
// (r, g, b in 0..1 per vertex) }. Normals are the viewer's job (flat, per triangle), so a
// file's own normals are not read. Broken files throw an Error whose message is for people.

export const MODEL_SUFFIXES = [".obj", ".glb", ".gltf", ".stl", ".ply", ".splat"];

/** ".obj" for "Duck.OBJ?x=1", "" when there is none. */
export function suffixOf(name) {
  const bare = String(name ?? "").split(/[?#]/)[0];
  const dot = bare.lastIndexOf(".");
  return dot < 0 || dot < bare.lastIndexOf("/") ? "" : bare.slice(dot).toLowerCase();
}

/**
 * Parse `buffer` (an ArrayBuffer) named `name`. `fetchNear(uri)` resolves a file a .gltf
 * names beside itself to an ArrayBuffer (its external buffers).
 */
export async function parseModel(name, buffer, fetchNear = null) {
  const suffix = suffixOf(name);
  if (suffix === ".obj") return parseObj(new TextDecoder().decode(buffer));
  if (suffix === ".stl") return parseStl(buffer);
  if (suffix === ".glb") return parseGltf(...splitGlb(buffer), fetchNear);
  if (suffix === ".gltf") return parseGltf(JSON.parse(new TextDecoder().decode(buffer)), null, fetchNear);
  if (suffix === ".ply") return parsePly(buffer);
  if (suffix === ".splat") return parseSplat(buffer);
  throw new Error(`Cannot show ${suffix || "this"} files: the viewer reads ${MODEL_SUFFIXES.join(", ")}.`);
}

const mesh = (kind, positions, colors = null) => {
  if (!positions.length) throw new Error("The model has no vertices to draw.");
  return { kind, positions: Float32Array.from(positions), colors: colors && Float32Array.from(colors) };
};

// -- OBJ: "v x y z [r g b]" and "f a b c ..." (a may be a, a/t, a//n or a/t/n; negative
// indices count back from the last vertex). Polygons are split into a fan of triangles.
export function parseObj(text) {
  const verts = [];
  const tints = [];
  const out = [];
  const colors = [];
  let tinted = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("v ")) {
      const n = line.slice(2).trim().split(/\s+/).map(Number);
      verts.push([n[0], n[1], n[2]]);
      const hasColor = n.length >= 6 && n.slice(3, 6).every(Number.isFinite);
      tinted ||= hasColor;
      tints.push(hasColor ? [n[3], n[4], n[5]] : [0.8, 0.8, 0.8]);
    } else if (line.startsWith("f ")) {
      const ids = line.slice(2).trim().split(/\s+/).map((w) => {
        const k = parseInt(w.split("/")[0], 10);
        return k < 0 ? verts.length + k : k - 1;
      });
      if (ids.some((k) => !(k >= 0 && k < verts.length))) throw new Error("The .obj file names a vertex it does not have.");
      for (let k = 1; k + 1 < ids.length; k += 1) {
        for (const id of [ids[0], ids[k], ids[k + 1]]) {
          out.push(...verts[id]);
          colors.push(...tints[id]);
        }
      }
    }
  }
  if (!out.length) return mesh("points", verts.flat(), tinted ? tints.flat() : null);
  return mesh("triangles", out, tinted ? colors : null);
}

// -- STL: binary is an 80-byte header, a count, then 50 bytes per triangle; anything whose
// size does not fit that is read as ASCII ("vertex x y z" lines).
export function parseStl(buffer) {
  const view = new DataView(buffer);
  if (buffer.byteLength >= 84 && 84 + 50 * view.getUint32(80, true) === buffer.byteLength) {
    const count = view.getUint32(80, true);
    const out = new Float32Array(count * 9);
    for (let t = 0; t < count; t += 1) {
      for (let k = 0; k < 9; k += 1) out[t * 9 + k] = view.getFloat32(84 + t * 50 + 12 + k * 4, true);
    }
    return mesh("triangles", out);
  }
  const text = new TextDecoder().decode(buffer);
  const out = [];
  for (const m of text.matchAll(/vertex\s+(\S+)\s+(\S+)\s+(\S+)/g)) out.push(+m[1], +m[2], +m[3]);
  if (out.length % 9) throw new Error("The .stl file has a triangle with fewer than three vertices.");
  return mesh("triangles", out);
}

// -- glTF 2.0. A .glb is a 12-byte header, then a JSON chunk and (usually) a BIN chunk.
function splitGlb(buffer) {
  const view = new DataView(buffer);
  if (buffer.byteLength < 20 || view.getUint32(0, true) !== 0x46546c67) throw new Error("The .glb file does not start with glTF's magic bytes.");
  let json = null;
  let bin = null;
  for (let at = 12; at + 8 <= buffer.byteLength;) {
    const length = view.getUint32(at, true);
    const type = view.getUint32(at + 4, true);
    const body = buffer.slice(at + 8, at + 8 + length);
    if (type === 0x4e4f534a) json = JSON.parse(new TextDecoder().decode(body));
    else if (type === 0x004e4942) bin = body;
    at += 8 + length;
  }
  if (!json) throw new Error("The .glb file has no JSON chunk.");
  return [json, bin];
}

// Decoded here, not fetched: the page's connect-src policy refuses data: URLs.
function decodeDataUri(uri) {
  const comma = uri.indexOf(",");
  const body = uri.slice(comma + 1);
  if (/;base64$/i.test(uri.slice(0, comma))) return Uint8Array.from(atob(body), (c) => c.charCodeAt(0)).buffer;
  const bytes = body.replace(/%([0-9a-f]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  return Uint8Array.from(bytes, (c) => c.charCodeAt(0) & 255).buffer;
}

const COMPONENTS = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT4: 16 };
const TYPES = {
  5120: [Int8Array, 127], 5121: [Uint8Array, 255], 5122: [Int16Array, 32767],
  5123: [Uint16Array, 65535], 5125: [Uint32Array, 0], 5126: [Float32Array, 0],
};

async function parseGltf(doc, bin, fetchNear) {
  const unsupported = (doc.extensionsRequired ?? []).filter((e) => e !== "KHR_materials_unlit");
  if (unsupported.length) throw new Error(`The model needs ${unsupported.join(", ")}, which this viewer does not read.`);
  const buffers = await Promise.all((doc.buffers ?? []).map(async (b, k) => {
    if (b.uri == null) {
      if (k !== 0 || !bin) throw new Error("The model's binary buffer is missing.");
      return bin;
    }
    if (b.uri.startsWith("data:")) return decodeDataUri(b.uri);
    if (!fetchNear) throw new Error(`The model's buffer ${b.uri} lives in another file.`);
    return fetchNear(b.uri);
  }));
  // Each accessor as an array of tuples (normalised integers as 0..1 or -1..1 floats).
  const read = (index) => {
    const a = doc.accessors[index];
    const [Kind, scale] = TYPES[a.componentType];
    const size = COMPONENTS[a.type];
    const out = new Float32Array(a.count * size);
    if (a.bufferView == null) return { size, data: out };
    const view = doc.bufferViews[a.bufferView];
    const buffer = buffers[view.buffer];
    const base = (view.byteOffset ?? 0) + (a.byteOffset ?? 0);
    const stride = view.byteStride || size * Kind.BYTES_PER_ELEMENT;
    const data = new DataView(buffer);
    const get = {
      5120: (o) => data.getInt8(o), 5121: (o) => data.getUint8(o), 5122: (o) => data.getInt16(o, true),
      5123: (o) => data.getUint16(o, true), 5125: (o) => data.getUint32(o, true), 5126: (o) => data.getFloat32(o, true),
    }[a.componentType];
    for (let i = 0; i < a.count; i += 1) {
      for (let c = 0; c < size; c += 1) {
        const v = get(base + i * stride + c * Kind.BYTES_PER_ELEMENT);
        out[i * size + c] = a.normalized && scale ? Math.max(v / scale, -1) : v;
      }
    }
    return { size, data: out };
  };
  const triangles = [];
  const triColors = [];
  const points = [];
  const pointColors = [];
  const visit = (nodeIndex, parent) => {
    const node = doc.nodes[nodeIndex];
    const matrix = multiply(parent, localMatrix(node));
    if (node.mesh != null) {
      for (const prim of doc.meshes[node.mesh].primitives) {
        const mode = prim.mode ?? 4;
        if (mode !== 4 && mode !== 0) continue; // lines and strips are skipped
        if (prim.attributes.POSITION == null) continue;
        const pos = read(prim.attributes.POSITION).data;
        const tint = prim.attributes.COLOR_0 != null ? read(prim.attributes.COLOR_0) : null;
        const factor = doc.materials?.[prim.material]?.pbrMetallicRoughness?.baseColorFactor ?? [0.8, 0.8, 0.8, 1];
        const order = prim.indices != null ? Array.from(read(prim.indices).data) : [...Array(pos.length / 3).keys()];
        const [outPos, outCol] = mode === 4 ? [triangles, triColors] : [points, pointColors];
        for (const i of order) {
          outPos.push(...transform(matrix, pos[i * 3], pos[i * 3 + 1], pos[i * 3 + 2]));
          for (let c = 0; c < 3; c += 1) outCol.push(factor[c] * (tint ? tint.data[i * tint.size + c] : 1));
        }
      }
    }
    for (const child of node.children ?? []) visit(child, matrix);
  };
  const scene = doc.scenes?.[doc.scene ?? 0];
  const roots = scene?.nodes ?? (doc.nodes ?? []).map((_, k) => k);
  for (const root of roots) visit(root, IDENTITY);
  if (triangles.length) return mesh("triangles", triangles, triColors);
  return mesh("points", points, pointColors);
}

// Column-major 4x4 matrices, as glTF stores them.
const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

function multiply(a, b) {
  const out = new Array(16).fill(0);
  for (let c = 0; c < 4; c += 1) {
    for (let r = 0; r < 4; r += 1) {
      for (let k = 0; k < 4; k += 1) out[c * 4 + r] += a[k * 4 + r] * b[c * 4 + k];
    }
  }
  return out;
}

function localMatrix(node) {
  if (node.matrix) return node.matrix;
  const [tx, ty, tz] = node.translation ?? [0, 0, 0];
  const [x, y, z, w] = node.rotation ?? [0, 0, 0, 1];
  const [sx, sy, sz] = node.scale ?? [1, 1, 1];
  return [
    (1 - 2 * (y * y + z * z)) * sx, 2 * (x * y + z * w) * sx, 2 * (x * z - y * w) * sx, 0,
    2 * (x * y - z * w) * sy, (1 - 2 * (x * x + z * z)) * sy, 2 * (y * z + x * w) * sy, 0,
    2 * (x * z + y * w) * sz, 2 * (y * z - x * w) * sz, (1 - 2 * (x * x + y * y)) * sz, 0,
    tx, ty, tz, 1,
  ];
}

const transform = (m, x, y, z) => [
  m[0] * x + m[4] * y + m[8] * z + m[12],
  m[1] * x + m[5] * y + m[9] * z + m[13],
  m[2] * x + m[6] * y + m[10] * z + m[14],
];

// -- PLY: a text header ("element vertex N", "property float x", "property list uchar int
// vertex_indices", "end_header"), then the elements in ASCII or binary.
const PLY_TYPES = {
  char: ["Int8", 1], int8: ["Int8", 1], uchar: ["Uint8", 1], uint8: ["Uint8", 1],
  short: ["Int16", 2], int16: ["Int16", 2], ushort: ["Uint16", 2], uint16: ["Uint16", 2],
  int: ["Int32", 4], int32: ["Int32", 4], uint: ["Uint32", 4], uint32: ["Uint32", 4],
  float: ["Float32", 4], float32: ["Float32", 4], double: ["Float64", 8], float64: ["Float64", 8],
};

export function parsePly(buffer) {
  const head = new TextDecoder().decode(buffer.slice(0, Math.min(buffer.byteLength, 65536)));
  const end = head.indexOf("end_header");
  if (!head.startsWith("ply") || end < 0) throw new Error("The .ply file has no PLY header.");
  const elements = [];
  let format = "ascii";
  for (const line of head.slice(0, end).split(/\r?\n/)) {
    const w = line.trim().split(/\s+/);
    if (w[0] === "format") format = w[1];
    else if (w[0] === "element") elements.push({ name: w[1], count: +w[2], props: [] });
    else if (w[0] === "property" && elements.length) {
      elements.at(-1).props.push(w[1] === "list" ? { list: true, count: w[2], type: w[3], name: w[4] } : { type: w[1], name: w[2] });
    }
  }
  const bodyStart = new TextEncoder().encode(head.slice(0, end + "end_header".length)).length + (head[end + 10] === "\r" ? 2 : 1);
  const rows = {};
  if (format === "ascii") {
    const words = new TextDecoder().decode(buffer.slice(bodyStart)).trim().split(/\s+/).map(Number);
    let at = 0;
    for (const el of elements) {
      rows[el.name] = [];
      for (let i = 0; i < el.count; i += 1) {
        const row = {};
        for (const p of el.props) {
          if (p.list) {
            const n = words[at++];
            row[p.name] = words.slice(at, at + n);
            at += n;
          } else row[p.name] = words[at++];
        }
        rows[el.name].push(row);
      }
    }
  } else {
    const little = format === "binary_little_endian";
    const view = new DataView(buffer);
    let at = bodyStart;
    const take = (type) => {
      const [getter, size] = PLY_TYPES[type] ?? [];
      if (!getter) throw new Error(`The .ply file uses a property type (${type}) the viewer does not know.`);
      const v = view[`get${getter}`](at, little);
      at += size;
      return v;
    };
    for (const el of elements) {
      rows[el.name] = [];
      for (let i = 0; i < el.count; i += 1) {
        const row = {};
        for (const p of el.props) {
          if (p.list) {
            const n = take(p.count);
            row[p.name] = Array.from({ length: n }, () => take(p.type));
          } else row[p.name] = take(p.type);
        }
        rows[el.name].push(row);
      }
    }
  }
  const verts = rows.vertex ?? [];
  const colorOf = (v) => ("red" in v ? [v.red / 255, v.green / 255, v.blue / 255] : [0.8, 0.8, 0.8]);
  const tinted = verts.length > 0 && "red" in verts[0];
  const faces = rows.face ?? [];
  if (!faces.length) return mesh("points", verts.flatMap((v) => [v.x, v.y, v.z]), tinted ? verts.flatMap(colorOf) : null);
  const out = [];
  const colors = [];
  for (const f of faces) {
    const ids = f.vertex_indices ?? f.vertex_index ?? [];
    for (let k = 1; k + 1 < ids.length; k += 1) {
      for (const id of [ids[0], ids[k], ids[k + 1]]) {
        const v = verts[id];
        if (!v) throw new Error("The .ply file names a vertex it does not have.");
        out.push(v.x, v.y, v.z);
        colors.push(...colorOf(v));
      }
    }
  }
  return mesh("triangles", out, tinted ? colors : null);
}

// -- .splat: 32 bytes per splat: position (3 float32), scale (3 float32), RGBA (4 uint8),
// rotation (4 uint8). Drawn as points in their colour; scale and rotation are not used.
export function parseSplat(buffer) {
  const count = Math.floor(buffer.byteLength / 32);
  const view = new DataView(buffer);
  const positions = new Float32Array(count * 3);
  const colors = new Float32Array(count * 3);
  for (let i = 0; i < count; i += 1) {
    for (let c = 0; c < 3; c += 1) {
      positions[i * 3 + c] = view.getFloat32(i * 32 + c * 4, true);
      colors[i * 3 + c] = view.getUint8(i * 32 + 24 + c) / 255;
    }
  }
  return mesh("points", positions, colors);
}
