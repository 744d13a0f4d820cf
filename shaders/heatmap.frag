#version 330 core
in vec2 vUv;

uniform sampler2D uValues;  // R32F, one texel per matrix cell
uniform sampler2D uColorMap; // 256 x 1 RGBA
uniform float uMin;
uniform float uMax;
uniform int uMode;          // 0: matrix values, 1: colour bar (vUv.y is the normalised value)
uniform vec4 uNanColor;

out vec4 fragColor;

void main() {
    float x;
    if (uMode == 1) {
        x = vUv.y;
    } else {
        float v = texture(uValues, vUv).r;
        if (isnan(v)) {
            fragColor = uNanColor;
            return;
        }
        x = uMax > uMin ? (v - uMin) / (uMax - uMin) : 0.5;
    }
    x = clamp(x, 0.0, 1.0);
    fragColor = texture(uColorMap, vec2((x * 255.0 + 0.5) / 256.0, 0.5));
}
