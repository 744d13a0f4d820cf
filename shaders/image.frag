#version 330 core
in vec2 vUv;
uniform sampler2D uImage; // straight (non-premultiplied) RGBA
out vec4 fragColor;

void main() {
    fragColor = texture(uImage, vUv);
}
