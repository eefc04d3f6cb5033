// A small WebGL 1 viewer for one mesh from model3d_formats.js: flat-shaded triangles, a
// wireframe or a point cloud, seen by an orbit camera around the model's centre.
//
// Drag to orbit, shift-drag or right-drag to pan, wheel to zoom, double-click or "r" to
// reset; arrow keys orbit and +/- zoom for keyboard users. Drawing happens on demand (one
// animation frame per change), not in a loop. camera_position is (alpha, beta, radius):
// alpha the angle around the vertical axis and beta the angle down from the top, in
// degrees, radius the distance from the centre; None keeps the viewer's choice.

const VERTEX = `
attribute vec3 position; attribute vec3 normal; attribute vec3 color;
uniform mat4 view; uniform float pointSize;
varying vec3 vNormal; varying vec3 vColor;
void main() {
  gl_Position = view * vec4(position, 1.0);
  gl_PointSize = pointSize;
  vNormal = normal; vColor = color;
}`;

const FRAGMENT = `
precision mediump float;
uniform vec3 light; uniform float lit;
varying vec3 vNormal; varying vec3 vColor;
void main() {
  // Two-sided: files often wind some triangles the other way.
  float shade = 0.35 + 0.65 * abs(dot(normalize(vNormal), light));
  gl_FragColor = vec4(vColor * mix(1.0, shade, lit), 1.0);
}`;

const DEFAULT_ALPHA = 60;
const DEFAULT_BETA = 65;
const radians = (deg) => (deg * Math.PI) / 180;

function compile(gl, type, source) {
  const shader = gl.createShader(type);
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader));
  return shader;
}

/** Flat normals (one per triangle, repeated for its three vertices). */
function flatNormals(p) {
  const n = new Float32Array(p.length);
  for (let i = 0; i + 8 < p.length; i += 9) {
    const ux = p[i + 3] - p[i], uy = p[i + 4] - p[i + 1], uz = p[i + 5] - p[i + 2];
    const vx = p[i + 6] - p[i], vy = p[i + 7] - p[i + 1], vz = p[i + 8] - p[i + 2];
    let x = uy * vz - uz * vy, y = uz * vx - ux * vz, z = ux * vy - uy * vx;
    const len = Math.hypot(x, y, z) || 1;
    x /= len; y /= len; z /= len;
    for (let k = 0; k < 9; k += 3) { n[i + k] = x; n[i + k + 1] = y; n[i + k + 2] = z; }
  }
  return n;
}

/** The three edges of every triangle, as pairs of vertices for gl.LINES. */
function edges(values, width) {
  const out = new Float32Array(values.length * 2);
  let at = 0;
  for (let t = 0; t + 3 * width <= values.length; t += 3 * width) {
    for (const [a, b] of [[0, 1], [1, 2], [2, 0]]) {
      out.set(values.subarray(t + a * width, t + a * width + width), at);
      out.set(values.subarray(t + b * width, t + b * width + width), at + width);
      at += 2 * width;
    }
  }
  return out;
}

function bounds(p) {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < p.length; i += 3) {
    for (let c = 0; c < 3; c += 1) {
      if (p[i + c] < lo[c]) lo[c] = p[i + c];
      if (p[i + c] > hi[c]) hi[c] = p[i + c];
    }
  }
  const centre = lo.map((v, c) => (v + hi[c]) / 2);
  return { centre, size: Math.max(Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]) / 2, 1e-6) };
}

// Column-major 4x4 helpers: a perspective projection times a look-at view.
function perspective(fovy, aspect, near, far) {
  const f = 1 / Math.tan(fovy / 2);
  return [f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) / (near - far), -1, 0, 0, (2 * far * near) / (near - far), 0];
}

const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const unit = (a) => { const l = Math.hypot(...a) || 1; return a.map((v) => v / l); };
const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

function lookAt(eye, target) {
  const z = unit(sub(eye, target));
  const x = unit(cross([0, 1, 0], z));
  const y = cross(z, x);
  return [x[0], y[0], z[0], 0, x[1], y[1], z[1], 0, x[2], y[2], z[2], 0, -dot(x, eye), -dot(y, eye), -dot(z, eye), 1];
}

function times(a, b) {
  const out = new Array(16).fill(0);
  for (let c = 0; c < 4; c += 1) for (let r = 0; r < 4; r += 1) for (let k = 0; k < 4; k += 1) out[c * 4 + r] += a[k * 4 + r] * b[c * 4 + k];
  return out;
}

/**
 * Draw `model` on `canvas`. Options: clear_color [r, g, b, a] (0..1), camera_position
 * [alpha, beta, radius], zoom_speed, pan_speed, display_mode ("solid", "wireframe",
 * "point_cloud"). Returns { reset(), draw(), destroy() }; throws if WebGL is unavailable.
 */
export function createViewer(canvas, model, options = {}) {
  const gl = canvas.getContext("webgl", { antialias: true, preserveDrawingBuffer: true, premultipliedAlpha: false });
  if (!gl) throw new Error("This browser cannot draw 3D models (WebGL is unavailable).");
  gl.getExtension("OES_element_index_uint");
  const program = gl.createProgram();
  gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, VERTEX));
  gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT));
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program));
  gl.useProgram(program);

  const mode = model.kind === "points" ? "point_cloud" : options.display_mode ?? "solid";
  const count = model.positions.length / 3;
  const grey = new Float32Array(count * 3).fill(0.72);
  let positions = model.positions;
  let colors = model.colors ?? grey;
  let normals = model.kind === "triangles" ? flatNormals(positions) : new Float32Array(count * 3);
  if (mode === "wireframe" && model.kind === "triangles") {
    positions = edges(positions, 3);
    colors = edges(colors, 3);
    normals = edges(normals, 3);
  }
  const buffers = [];
  const attribute = (name, data) => {
    const buffer = gl.createBuffer();
    buffers.push(buffer);
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
    const at = gl.getAttribLocation(program, name);
    gl.enableVertexAttribArray(at);
    gl.vertexAttribPointer(at, 3, gl.FLOAT, false, 0, 0);
  };
  attribute("position", positions);
  attribute("normal", normals);
  attribute("color", colors);
  const uniform = (name) => gl.getUniformLocation(program, name);
  gl.uniform1f(uniform("lit"), mode === "solid" ? 1 : 0);
  gl.uniform1f(uniform("pointSize"), Math.max(2, Math.round(2 * (window.devicePixelRatio || 1))));
  gl.enable(gl.DEPTH_TEST);

  const { centre, size } = bounds(model.positions);
  const zoomSpeed = Number(options.zoom_speed ?? 1) || 1;
  const panSpeed = Number(options.pan_speed ?? 1) || 1;
  const clear = Array.isArray(options.clear_color) && options.clear_color.length === 4 ? options.clear_color.map(Number) : [0, 0, 0, 0];
  const start = () => {
    const [alpha, beta, radius] = options.camera_position ?? [];
    return {
      alpha: radians(alpha ?? DEFAULT_ALPHA),
      beta: Math.min(Math.max(radians(beta ?? DEFAULT_BETA), 0.01), Math.PI - 0.01),
      radius: radius != null && radius > 0 ? Number(radius) : size * 2.6,
      target: [...centre],
    };
  };
  let camera = start();
  let frame = 0;

  function render() {
    frame = 0;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    gl.viewport(0, 0, width, height);
    gl.clearColor(...clear);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    const { alpha, beta, radius, target } = camera;
    const offset = [Math.cos(alpha) * Math.sin(beta), Math.cos(beta), Math.sin(alpha) * Math.sin(beta)];
    const eye = target.map((v, c) => v + radius * offset[c]);
    const near = Math.max(radius - size * 4, radius / 1000, 1e-4);
    const projection = perspective(radians(45), width / height, near, radius + size * 4);
    gl.uniformMatrix4fv(uniform("view"), false, new Float32Array(times(projection, lookAt(eye, target))));
    // The light comes from above the camera's left shoulder, so faces differ in shade.
    gl.uniform3fv(uniform("light"), new Float32Array(unit([offset[0] - 0.3, offset[1] + 0.6, offset[2] + 0.2])));
    const primitive = mode === "point_cloud" ? gl.POINTS : mode === "wireframe" ? gl.LINES : gl.TRIANGLES;
    gl.drawArrays(primitive, 0, positions.length / 3);
  }
  const draw = () => { frame ||= requestAnimationFrame(render); };

  // -- input
  let drag = null;
  const orbit = (dx, dy) => {
    camera.alpha += dx * 0.01;
    camera.beta = Math.min(Math.max(camera.beta - dy * 0.01, 0.01), Math.PI - 0.01);
  };
  const pan = (dx, dy) => {
    const { alpha, beta } = camera;
    const forward = [-Math.cos(alpha) * Math.sin(beta), -Math.cos(beta), -Math.sin(alpha) * Math.sin(beta)];
    const right = unit(cross(forward, [0, 1, 0]));
    const up = cross(right, forward);
    const step = (camera.radius / Math.max(canvas.clientHeight, 1)) * panSpeed;
    camera.target = camera.target.map((v, c) => v - right[c] * dx * step + up[c] * dy * step);
  };
  const zoom = (amount) => {
    camera.radius = Math.min(Math.max(camera.radius * Math.exp(amount * zoomSpeed), size * 0.05), size * 200);
  };
  const listeners = [
    ["pointerdown", (e) => {
      drag = { x: e.clientX, y: e.clientY, pan: e.button === 2 || e.shiftKey };
      canvas.setPointerCapture?.(e.pointerId);
    }],
    ["pointermove", (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      drag.x = e.clientX;
      drag.y = e.clientY;
      if (drag.pan) pan(dx, dy);
      else orbit(dx, dy);
      draw();
    }],
    ["pointerup", () => { drag = null; }],
    ["pointercancel", () => { drag = null; }],
    ["contextmenu", (e) => e.preventDefault()],
    ["wheel", (e) => {
      e.preventDefault();
      zoom(Math.sign(e.deltaY) * Math.min(Math.abs(e.deltaY), 100) * 0.002);
      draw();
    }],
    ["dblclick", () => { camera = start(); draw(); }],
    ["keydown", (e) => {
      const keys = {
        ArrowLeft: () => orbit(-15, 0), ArrowRight: () => orbit(15, 0),
        ArrowUp: () => orbit(0, -15), ArrowDown: () => orbit(0, 15),
        "+": () => zoom(-0.1), "=": () => zoom(-0.1), "-": () => zoom(0.1),
        r: () => { camera = start(); },
      };
      if (!keys[e.key]) return;
      e.preventDefault();
      keys[e.key]();
      draw();
    }],
  ];
  for (const [name, fn] of listeners) canvas.addEventListener(name, fn, name === "wheel" ? { passive: false } : undefined);
  const resize = typeof ResizeObserver === "function" ? new ResizeObserver(draw) : null;
  resize?.observe(canvas);
  draw();

  return {
    draw,
    reset() { camera = start(); draw(); },
    camera: () => ({ ...camera, target: [...camera.target] }),
    destroy() {
      if (frame) cancelAnimationFrame(frame);
      resize?.disconnect();
      for (const [name, fn] of listeners) canvas.removeEventListener(name, fn);
      for (const buffer of buffers) gl.deleteBuffer(buffer);
      gl.deleteProgram(program);
    },
  };
}
