#version 330 core
// A textured rectangle: a matrix of values (heatmap) or a colour bar, coloured through a colour map.
layout(location = 0) in vec2 pos;
layout(location = 1) in vec2 uv;

uniform vec2 uScale;
uniform vec2 uOffset;

out vec2 vUv;

void main() {
    gl_Position = vec4(pos * uScale + uOffset, 0.0, 1.0);
    vUv = uv;
}
