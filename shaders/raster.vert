#version 330 core
// Spike raster: one point per spike. A spike is (time relative to its chunk's base, neuron index); the row a
// neuron is drawn on and its colour come from buffer textures so reordering or recolouring rows never
// touches the spike buffers.
layout(location = 0) in float tRel;
layout(location = 1) in uint neuron;

uniform float uTimeOffset; // chunk base time minus the left edge of the view (s)
uniform float uTimeScale;  // 2 / visible time span
uniform float uRow0;       // lowest visible row
uniform float uRowScale;   // 2 / visible row span
uniform float uPointSize;  // device pixels
uniform usamplerBuffer uRowOf;  // row of each neuron
uniform samplerBuffer uColors;  // RGBA of each neuron
uniform int uHasColors;
uniform vec4 uDefaultColor;

out vec4 vColor;

void main() {
    int n = int(neuron);
    uint row = texelFetch(uRowOf, n).r;
    float x = (tRel + uTimeOffset) * uTimeScale - 1.0;
    float y = (float(row) + 0.5 - uRow0) * uRowScale - 1.0;
    gl_Position = vec4(x, y, 0.0, 1.0);
    gl_PointSize = uPointSize;
    vColor = uHasColors != 0 ? texelFetch(uColors, n) : uDefaultColor;
}
