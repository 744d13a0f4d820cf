#include "vtk/LineSplat.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include <vtkCamera.h>
#include <vtkMatrix4x4.h>
#include <vtkObjectFactory.h>
#include <vtkOpenGLQuadHelper.h>
#include <vtkOpenGLRenderWindow.h>
#include <vtkOpenGLRenderer.h>
#include <vtkOpenGLShaderCache.h>
#include <vtkOpenGLState.h>
#include <vtkShaderProgram.h>
#include <vtkTextureObject.h>
#include <vtk_glew.h>

vtkStandardNewMacro(LineSplat);

LineSplat::LineSplat() = default;
LineSplat::~LineSplat() = default;

void LineSplat::setNodes(std::shared_ptr<const void> owner, const float* x, const float* y, const float* z,
                         size_t n, const double bounds[6]) {
    owner_ = std::move(owner);
    x_ = x, y_ = y, z_ = z;
    nodes_ = owner_ ? n : 0;
    for (int i = 0; i < 6; ++i) bounds_[i] = bounds ? bounds[i] : 0.0;
    ends_.clear();
    rgba_.clear();
    discNodes_.clear();
    discRgba_.clear();
    discRadius_.clear();
    this->Modified();
}

void LineSplat::setLinesShown(bool on) {
    if (linesShown_ == on) return;
    linesShown_ = on;
    this->Modified();
}

void LineSplat::setDiscs(std::vector<uint32_t> nodes, std::vector<uint32_t> rgba, std::vector<float> radius) {
    const size_t n = std::min({nodes.size(), rgba.size(), radius.size()});
    nodes.resize(n), rgba.resize(n), radius.resize(n);
    discNodes_ = std::move(nodes);
    discRgba_ = std::move(rgba);
    discRadius_ = std::move(radius);
    this->Modified();
}

void LineSplat::setLines(std::vector<uint32_t> ends) {
    ends_ = std::move(ends);
    if (ends_.size() % 2) ends_.pop_back();
    rgba_.assign(ends_.size() / 2, 0xffffffffu);
    this->Modified();
}

double* LineSplat::GetBounds() {
    return nodes_ > 0 && (!rgba_.empty() || !discNodes_.empty()) ? bounds_ : nullptr;
}

int LineSplat::RenderOpaqueGeometry(vtkViewport* vp) {
    drawn_ = drawnDiscs_ = 0;
    auto* ren = vtkOpenGLRenderer::SafeDownCast(vp);
    // Selection passes (vtkHardwareSelector) leave the lines out: views pick them on the CPU, or not at all.
    const bool lines = linesShown_ && !rgba_.empty();
    if (!ren || nodes_ == 0 || (!lines && discNodes_.empty()) || ren->GetSelector()) return 0;
    auto* rw = vtkOpenGLRenderWindow::SafeDownCast(ren->GetRenderWindow());
    if (!rw) return 0;
    int w = 0, h = 0, x0 = 0, y0 = 0;
    ren->GetTiledSizeAndOrigin(&w, &h, &x0, &y0);
    if (w <= 0 || h <= 0) return 0;
    splat(ren, w, h);
    composite(rw, w, h);
    drawn_ = lines ? rgba_.size() : 0;
    drawnDiscs_ = discNodes_.size();
    return 1;
}

void LineSplat::ReleaseGraphicsResources(vtkWindow* win) {
    if (quad_) quad_->ReleaseGraphicsResources(win);
    quad_.reset();
    colorTex_->ReleaseGraphicsResources(win);
    depthTex_->ReleaseGraphicsResources(win);
}

// Window coordinates (pixels, depth 0..1) of every node; nodes behind the near plane get NaN and their lines
// are clipped exactly (slow path, rare).
void LineSplat::project(const double m[16], int w, int h, size_t lo, size_t hi) {
    const float hw = 0.5f * float(w), hh = 0.5f * float(h);
    for (size_t i = lo; i < hi; ++i) {
        const double x = x_[i], y = y_[i], z = z_[i];
        const double cx = m[0] * x + m[1] * y + m[2] * z + m[3];
        const double cy = m[4] * x + m[5] * y + m[6] * z + m[7];
        const double cz = m[8] * x + m[9] * y + m[10] * z + m[11];
        const double cw = m[12] * x + m[13] * y + m[14] * z + m[15];
        float* s = &screen_[4 * i];
        if (!(cz + cw >= 0) || !(cw > 0)) {
            s[0] = std::numeric_limits<float>::quiet_NaN();
            continue;
        }
        const double iw = 1.0 / cw;
        s[0] = float((cx * iw + 1.0) * hw);
        s[1] = float((cy * iw + 1.0) * hh);
        s[2] = float((cz * iw + 1.0) * 0.5);
        s[3] = float(cw);
    }
}

// The pixels of one line from major-axis position i0 to i1 (exclusive); at iStart the minor coordinate is o
// and the depth z, stepping so and sz per pixel. Positions are computed from iStart (not accumulated), so a
// pixel is the same whichever band draws it. Depth outside [0, 1] is clipped per pixel only when an end lies
// outside.
template <bool XMajor, bool ClipDepth>
void LineSplat::walk(int i0, int i1, int iStart, float o, float z, float so, float sz, uint32_t c,
                     const Band& b) {
    const int minor0 = XMajor ? b.y0 : 0, minorSize = XMajor ? b.y1 - b.y0 : b.w;
    for (int i = i0; i < i1; ++i) {
        const float t = float(i - iStart);
        const int j = int(std::floor(o + t * so));
        if (unsigned(j - minor0) >= unsigned(minorSize)) continue;
        const float d = z + t * sz;
        if (ClipDepth && !(d >= 0.f && d <= 1.f)) continue;
        const size_t at = XMajor ? size_t(j) * size_t(b.w) + size_t(i) : size_t(i) * size_t(b.w) + size_t(j);
        if (d <= b.depth[at]) b.depth[at] = d, b.rgba[at] = c;
    }
}

// A disc of radius r pixels centred at (cx, cy), at depth cz, shaded like a sphere lit from the viewer; only
// the pixels of pixel centres inside it, in the band's rows.
void LineSplat::disc(float cx, float cy, float cz, float r, uint32_t c, const Band& b) {
    if (!(cz >= 0.f && cz <= 1.f) || !(r > 0.f)) return;
    r = std::clamp(r, 0.75f, 4096.f); // at least about a pixel
    if (!(cx + r >= 0.f && cx - r <= float(b.w) && cy + r >= float(b.y0) && cy - r <= float(b.y1))) return;
    const int y0 = std::max(b.y0, int(std::ceil(cy - r - 0.5f)));
    const int y1 = std::min(b.y1, int(std::floor(cy + r - 0.5f)) + 1);
    const float r2 = r * r, inv = 1.f / r2;
    const float cr = float(c & 0xffu), cg = float((c >> 8) & 0xffu), cb = float((c >> 16) & 0xffu);
    for (int y = y0; y < y1; ++y) {
        const float dy = float(y) + 0.5f - cy, hx2 = r2 - dy * dy;
        if (hx2 < 0.f) continue;
        const float hx = std::sqrt(hx2);
        const int x0 = std::max(0, int(std::ceil(cx - hx - 0.5f)));
        const int x1 = std::min(b.w, int(std::floor(cx + hx - 0.5f)) + 1);
        for (int x = x0; x < x1; ++x) {
            const size_t at = size_t(y) * size_t(b.w) + size_t(x);
            if (!(cz <= b.depth[at])) continue;
            const float dx = float(x) + 0.5f - cx;
            const float nz = std::sqrt(std::max(0.f, 1.f - (dx * dx + dy * dy) * inv));
            const float shade = 0.3f + 0.7f * nz; // ambient plus diffuse of a headlight
            b.depth[at] = cz;
            b.rgba[at] =
                uint32_t(cr * shade) | uint32_t(cg * shade) << 8 | uint32_t(cb * shade) << 16 | 0xff000000u;
        }
    }
}

// One line in window coordinates: along the major axis, the pixel centres i + 0.5 in [a0, a1); only the
// pixels in the band's rows.
void LineSplat::line(float ax, float ay, float az, float bx, float by, float bz, uint32_t c, const Band& b) {
    const float dx = bx - ax, dy = by - ay;
    const bool xMajor = std::fabs(dx) >= std::fabs(dy);
    float a0 = xMajor ? ax : ay, a1 = xMajor ? bx : by;
    float o0 = xMajor ? ay : ax, o1 = xMajor ? by : bx;
    float z0 = az, z1 = bz;
    if (a1 < a0) std::swap(a0, a1), std::swap(o0, o1), std::swap(z0, z1);
    const float len = a1 - a0;
    if (!(len > 0)) return;
    const int start = int(std::ceil(a0 - 0.5f));
    int i0 = std::max(start, 0), i1 = std::min(int(std::ceil(a1 - 0.5f)), xMajor ? b.w : b.h);
    const float so = (o1 - o0) / len, sz = (z1 - z0) / len;
    const float t = float(start) + 0.5f - a0;
    const float o = o0 + t * so, z = z0 + t * sz;
    if (xMajor) {
        // The columns where the row lies in the band (one pixel of slack; the walk checks each pixel).
        if (so != 0.f) {
            const float u0 = (float(b.y0) - o) / so, u1 = (float(b.y1) - o) / so;
            const float lo = std::min(u0, u1), hi = std::max(u0, u1);
            if (hi < float(i0 - start) - 1.f || lo > float(i1 - start) + 1.f) return;
            i0 = std::max(i0, start + int(std::floor(lo)) - 1);
            i1 = std::min(i1, start + int(std::ceil(hi)) + 1);
        } else if (int(std::floor(o)) < b.y0 || int(std::floor(o)) >= b.y1) {
            return;
        }
    } else {
        i0 = std::max(i0, b.y0);
        i1 = std::min(i1, b.y1);
    }
    if (i0 >= i1) return;
    const bool clipZ = !(z0 >= 0.f && z0 <= 1.f && z1 >= 0.f && z1 <= 1.f);
    if (xMajor)
        clipZ ? walk<true, true>(i0, i1, start, o, z, so, sz, c, b)
              : walk<true, false>(i0, i1, start, o, z, so, sz, c, b);
    else
        clipZ ? walk<false, true>(i0, i1, start, o, z, so, sz, c, b)
              : walk<false, false>(i0, i1, start, o, z, so, sz, c, b);
}

// A line with an end behind the near plane: clipped in homogeneous coordinates, then drawn.
void LineSplat::clippedLine(const double m[16], uint32_t a, uint32_t b, uint32_t c, const Band& band) const {
    double cl[2][4];
    for (int k = 0; k < 2; ++k) {
        const uint32_t n = k ? b : a;
        const double p[3] = {x_[n], y_[n], z_[n]};
        for (int r = 0; r < 4; ++r)
            cl[k][r] = m[4 * r] * p[0] + m[4 * r + 1] * p[1] + m[4 * r + 2] * p[2] + m[4 * r + 3];
    }
    const double d0 = cl[0][2] + cl[0][3], d1 = cl[1][2] + cl[1][3];
    if (d0 < 0 && d1 < 0) return;
    const int in = d0 >= 0 ? 0 : 1, out = 1 - in;
    const double din = in ? d1 : d0, dout = in ? d0 : d1;
    if (dout < 0) {
        const double t = din / (din - dout);
        for (int r = 0; r < 4; ++r) cl[out][r] = cl[in][r] + t * (cl[out][r] - cl[in][r]);
    }
    float s[2][3];
    for (int k = 0; k < 2; ++k) {
        if (!(cl[k][3] > 0)) return;
        const double iw = 1.0 / cl[k][3];
        s[k][0] = float((cl[k][0] * iw + 1.0) * 0.5 * band.w);
        s[k][1] = float((cl[k][1] * iw + 1.0) * 0.5 * band.h);
        s[k][2] = float((cl[k][2] * iw + 1.0) * 0.5);
    }
    line(s[0][0], s[0][1], s[0][2], s[1][0], s[1][1], s[1][2], c, band);
}

void LineSplat::splat(vtkOpenGLRenderer* ren, int w, int h) {
    vtkMatrix4x4* mm =
        ren->GetActiveCamera()->GetCompositeProjectionTransformMatrix(ren->GetTiledAspectRatio(), -1, 1);
    double m[16];
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) m[4 * r + c] = mm->GetElement(r, c);
    const size_t px = size_t(w) * size_t(h);
    screen_.resize(4 * nodes_);
    // Discs: pixels per world unit at clip w = 1 (the projection's vertical scale, rows of m are the camera
    // axes scaled), and the change of clip z and w per world unit towards the camera.
    const float pixelScale = float(std::sqrt(m[4] * m[4] + m[5] * m[5] + m[6] * m[6]) * 0.5 * h);
    double dop[3] = {0, 0, -1};
    ren->GetActiveCamera()->GetDirectionOfProjection(dop);
    const float dz = float(m[8] * dop[0] + m[9] * dop[1] + m[10] * dop[2]);
    const float dw = float(m[12] * dop[0] + m[13] * dop[1] + m[14] * dop[2]);
    const int threads = int(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
    // After a large image (a figure export) the buffers shrink back to what the window needs.
    Images& im = images();
    if (px * 4 < im.depth.capacity()) {
        std::vector<uint32_t>().swap(im.color);
        std::vector<float>().swap(im.depth);
    }
    im.color.resize(px);
    im.depth.resize(px);
    std::vector<uint32_t>& color = im.color;
    std::vector<float>& depth = im.depth;
    auto parallel = [&](auto fn) {
        std::vector<std::thread> pool;
        for (int t = 1; t < threads; ++t) pool.emplace_back(fn, t);
        fn(0);
        for (auto& th : pool) th.join();
    };
    parallel([&](int t) {
        project(m, w, h, nodes_ * size_t(t) / size_t(threads), nodes_ * size_t(t + 1) / size_t(threads));
    });
    // Bands of rows holding about as many projected nodes each (lines mostly stay near their nodes); the
    // bounding box of all projected nodes, on screen or not, holds every line (a line lies between its ends).
    rows_.assign(size_t(h), 0);
    size_t inside = 0;
    bool behind = false;
    float lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (size_t i = 0; i < nodes_; ++i) {
        const float x = screen_[4 * i], y = screen_[4 * i + 1];
        if (std::isnan(x)) {
            behind = true;
            continue;
        }
        lo[0] = std::min(lo[0], x), hi[0] = std::max(hi[0], x);
        lo[1] = std::min(lo[1], y), hi[1] = std::max(hi[1], y);
        if (!(y >= 0.f && y < float(h))) continue;
        ++rows_[size_t(y)];
        ++inside;
    }
    float reach = 2.f; // pixel-centre rounding of lines and discs
    for (size_t k = 0; k < discNodes_.size(); ++k) {
        const uint32_t a = discNodes_[k];
        if (a < nodes_ && !std::isnan(screen_[4 * size_t(a)]))
            reach = std::max(
                reach, 2.f + std::min(4096.f, discRadius_[k] * pixelScale / screen_[4 * size_t(a) + 3]));
    }
    auto clampTo = [](float v, int n) { return int(std::clamp(v, 0.f, float(n))); };
    if (behind) {
        rect_[0] = 0, rect_[1] = 0, rect_[2] = w, rect_[3] = h;
    } else {
        rect_[0] = clampTo(std::floor(lo[0] - reach), w), rect_[2] = clampTo(std::ceil(hi[0] + reach), w);
        rect_[1] = clampTo(std::floor(lo[1] - reach), h), rect_[3] = clampTo(std::ceil(hi[1] + reach), h);
    }
    std::vector<int> split(size_t(threads) + 1, h);
    split[0] = 0;
    for (size_t y = 0, sum = 0, t = 1; y < size_t(h) && t < size_t(threads); ++y) {
        sum += rows_[y];
        while (t < size_t(threads) && sum * size_t(threads) >= inside * t) split[t++] = int(y) + 1;
    }
    if (inside == 0)
        for (int t = 1; t < threads; ++t) split[size_t(t)] = h * t / threads;
    parallel([&](int t) {
        const Band band{depth.data(), color.data(), w, h, split[size_t(t)], split[size_t(t) + 1]};
        if (band.y0 >= band.y1) return;
        // Only the frame's rectangle: nothing outside it is uploaded or composited.
        for (int y = std::max(band.y0, rect_[1]), y1 = std::min(band.y1, rect_[3]); y < y1; ++y) {
            const size_t p0 = size_t(y) * size_t(w) + size_t(rect_[0]), n = size_t(rect_[2] - rect_[0]);
            std::fill_n(depth.data() + p0, n, kEmpty);
            std::fill_n(color.data() + p0, n, 0u);
        }
        const float* scr = screen_.data();
        const float y0 = float(band.y0) - 1.f, y1 = float(band.y1) + 1.f;
        for (size_t k = 0, n = linesShown_ ? rgba_.size() : 0; k < n; ++k) {
            const uint32_t a = ends_[2 * k], b = ends_[2 * k + 1];
            if (a >= nodes_ || b >= nodes_) continue;
            const float *pa = scr + 4 * size_t(a), *pb = scr + 4 * size_t(b);
            if (std::isnan(pa[0]) || std::isnan(pb[0])) {
                clippedLine(m, a, b, rgba_[k], band);
                continue;
            }
            // Both ends above or both below the band: nothing to draw here.
            if ((pa[1] < y0 && pb[1] < y0) || (pa[1] >= y1 && pb[1] >= y1)) continue;
            line(pa[0], pa[1], pa[2], pb[0], pb[1], pb[2], rgba_[k], band);
        }
        // Discs over the lines: pixel radius from the projection's scale at the node's clip w; depth of the
        // sphere's point nearest the camera, so lines into a node end at its surface as with imposters.
        for (size_t k = 0, n = discNodes_.size(); k < n; ++k) {
            const uint32_t a = discNodes_[k];
            if (a >= nodes_) continue;
            const float* p = scr + 4 * size_t(a);
            if (std::isnan(p[0])) continue;
            const float r = discRadius_[k], cw = p[3];
            const float cz = (2.f * p[2] - 1.f) * cw;
            const float fz = cz - r * dz, fw = cw - r * dw;
            const float depth = fw > 0.f ? std::clamp(0.5f * (fz / fw + 1.f), 0.f, p[2]) : 0.f;
            disc(p[0], p[1], depth, r * pixelScale / cw, discRgba_[k], band);
        }
    });
}

LineSplat::Images& LineSplat::images() {
    thread_local Images im;
    return im;
}

void LineSplat::composite(vtkOpenGLRenderWindow* rw, int w, int h) {
    std::vector<uint32_t>& color = images().color;
    std::vector<float>& depth = images().depth;
    if (!quad_) {
        // vtkOpenGLRenderUtilities' full-screen quad shaders (that header needs GLEW before Qt's GL).
        const char* vs = "//VTK::System::Dec\n"
                         "in vec4 ndCoordIn;\n"
                         "in vec2 texCoordIn;\n"
                         "out vec2 texCoord;\n"
                         "uniform vec4 rect;\n" // the frame's rectangle, texture coordinates
                         "void main() {\n"
                         "  vec2 t = mix(rect.xy, rect.zw, texCoordIn);\n"
                         "  gl_Position = vec4(2.0 * t - 1.0, ndCoordIn.z, ndCoordIn.w);\n"
                         "  texCoord = t;\n"
                         "}\n";
        const char* fs = "//VTK::System::Dec\n"
                         "//VTK::Output::Dec\n"
                         "in vec2 texCoord;\n"
                         "uniform sampler2D colorTex;\n"
                         "uniform sampler2D depthTex;\n"
                         "void main() {\n"
                         "  float d = texture(depthTex, texCoord).r;\n"
                         "  if (d > 1.0) discard;\n"
                         "  gl_FragData[0] = texture(colorTex, texCoord);\n"
                         "  gl_FragDepth = d;\n"
                         "}\n";
        quad_ = std::make_unique<vtkOpenGLQuadHelper>(rw, vs, fs, "");
        colorTex_->SetContext(rw);
        depthTex_->SetContext(rw);
    } else {
        rw->GetShaderCache()->ReadyShaderProgram(quad_->Program);
    }
    if (!quad_->Program) return;
    const int x0 = rect_[0], y0 = rect_[1], rectW = rect_[2] - rect_[0], rh = rect_[3] - rect_[1];
    if (rectW <= 0 || rh <= 0) return;
    if (colorTex_->GetHandle() != 0 && int(colorTex_->GetWidth()) == w && int(colorTex_->GetHeight()) == h &&
        int(depthTex_->GetWidth()) == w && int(depthTex_->GetHeight()) == h) {
        // Same size as the last frame: new contents of the frame's rectangle in the same storage (no
        // reallocation in the driver).
        const size_t at = size_t(y0) * size_t(w) + size_t(x0);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
        glPixelStorei(GL_UNPACK_ROW_LENGTH, w);
        colorTex_->Bind();
        glTexSubImage2D(GL_TEXTURE_2D, 0, x0, y0, rectW, rh, GL_RGBA, GL_UNSIGNED_BYTE, color.data() + at);
        depthTex_->Bind();
        glTexSubImage2D(GL_TEXTURE_2D, 0, x0, y0, rectW, rh, GL_RED, GL_FLOAT, depth.data() + at);
        glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    } else {
        colorTex_->Create2DFromRaw(unsigned(w), unsigned(h), 4, VTK_UNSIGNED_CHAR, color.data());
        depthTex_->Create2DFromRaw(unsigned(w), unsigned(h), 1, VTK_FLOAT, depth.data());
    }
    for (vtkTextureObject* t : {colorTex_.GetPointer(), depthTex_.GetPointer()}) {
        t->SetMinificationFilter(vtkTextureObject::Nearest);
        t->SetMagnificationFilter(vtkTextureObject::Nearest);
        t->SetWrapS(vtkTextureObject::ClampToEdge);
        t->SetWrapT(vtkTextureObject::ClampToEdge);
        t->Activate();
    }
    quad_->Program->SetUniformi("colorTex", colorTex_->GetTextureUnit());
    quad_->Program->SetUniformi("depthTex", depthTex_->GetTextureUnit());
    const float rect[4] = {float(x0) / float(w), float(y0) / float(h), float(rect_[2]) / float(w),
                           float(rect_[3]) / float(h)};
    quad_->Program->SetUniform4f("rect", rect);
    vtkOpenGLState* st = rw->GetState();
    vtkOpenGLState::ScopedglEnableDisable blend(st, GL_BLEND);
    vtkOpenGLState::ScopedglEnableDisable depthTest(st, GL_DEPTH_TEST);
    vtkOpenGLState::ScopedglDepthMask depthMask(st);
    st->vtkglDisable(GL_BLEND);
    st->vtkglEnable(GL_DEPTH_TEST);
    st->vtkglDepthMask(GL_TRUE);
    quad_->Render();
    colorTex_->Deactivate();
    depthTex_->Deactivate();
}

std::vector<uint32_t> spatialLineOrder(const float* x, const float* y, const float* z, const uint32_t* src,
                                       const uint32_t* dst, const uint32_t* ids, size_t count,
                                       const double bounds[6]) {
    constexpr int kCells = 64;
    double scale[3];
    for (int a = 0; a < 3; ++a)
        scale[a] = bounds[2 * a + 1] > bounds[2 * a] ? kCells / (bounds[2 * a + 1] - bounds[2 * a]) : 0.0;
    std::vector<uint32_t> cell(count);
    std::vector<uint32_t> start(size_t(kCells) * kCells * kCells + 1, 0);
    for (size_t k = 0; k < count; ++k) {
        const size_t e = ids ? ids[k] : k;
        const uint32_t s = src[e], d = dst[e];
        const double m[3] = {0.5 * (double(x[s]) + x[d]), 0.5 * (double(y[s]) + y[d]),
                             0.5 * (double(z[s]) + z[d])};
        int c[3];
        for (int a = 0; a < 3; ++a) {
            const double f = (m[a] - bounds[2 * a]) * scale[a];
            c[a] = std::isfinite(f) ? int(std::clamp(f, 0.0, double(kCells - 1))) : 0;
        }
        cell[k] = uint32_t((c[2] * kCells + c[1]) * kCells + c[0]);
        ++start[cell[k] + 1];
    }
    for (size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
    std::vector<uint32_t> order(count);
    for (size_t k = 0; k < count; ++k) order[start[cell[k]]++] = uint32_t(k);
    return order;
}
