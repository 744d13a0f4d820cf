#version 330 core
// A textured rectangle covering the current viewport (pos in clip space).
layout(location = 0) in vec2 pos;
layout(location = 1) in vec2 uv;

out vec2 vUv;

void main() {
    gl_Position = vec4(pos, 0.0, 1.0);
    vUv = uv;
}
