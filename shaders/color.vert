#version 330 core
// Coloured 2-D primitives (lines, bands, points, rectangles) in data coordinates mapped to clip space by an
// affine transform: clip = pos * uScale + uOffset.
layout(location = 0) in vec2 pos;
layout(location = 1) in vec4 color;

uniform vec2 uScale;
uniform vec2 uOffset;
uniform float uPointSize;

out vec4 vColor;

void main() {
    gl_Position = vec4(pos * uScale + uOffset, 0.0, 1.0);
    gl_PointSize = uPointSize;
    vColor = color;
}
