// LineSplat: lines thinner than a pixel (edges of a graph between positioned nodes), drawn as 1-pixel lines
// in their colour without making them GL primitives.
//
// On a software rasterizer a GL line costs about the same set-up and binning as a triangle however few pixels
// it covers (~0.3 us each with llvmpipe), and a whole-brain vessel graph or a large connectome has millions
// of them. This prop draws them itself: every frame it projects the nodes with the renderer's camera, walks
// each line's pixels on the CPU (column or row centres along the major axis, as GL's diamond rule does for
// 1-pixel lines) into a colour and a depth image, and composites both with one full-screen pass that writes
// gl_FragDepth under the depth test, so that other actors (cylinders, imposter spheres) hide and are hidden
// by the lines exactly as GL lines would be. The image is split into bands of rows, one per thread (up to
// four, split so that each holds about as many projected nodes); each thread draws the part of every line
// inside its band, so no thread's pixels are another's and nothing is merged. Only the bounding rectangle of
// the projected nodes is cleared, uploaded and composited (a graph seen whole covers a part of the window).
// The prop can also draw nodes as shaded discs (setDiscs) into the same images: a view's moving frames draw
// their node budget that way, without a GL primitive per node.
// Lines given in a spatial order (spatialLineOrder) write neighbouring pixels one after another.
//
// Used by VesselView (vessels under a pixel wide) and ConnectomeView (every edge).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>
#include <vtkNew.h>
#include <vtkProp.h>

class vtkOpenGLQuadHelper;
class vtkOpenGLRenderer;
class vtkOpenGLRenderWindow;
class vtkTextureObject;

class LineSplat : public vtkProp {
public:
    static LineSplat* New();
    vtkTypeMacro(LineSplat, vtkProp);

    // The node positions: `n` floats in each of x, y, z. `owner` keeps them alive as long as the prop uses
    // them (the graph they belong to). Bounds: VTK order (xmin, xmax, ymin, ymax, zmin, zmax).
    void setNodes(std::shared_ptr<const void> owner, const float* x, const float* y, const float* z, size_t n,
                  const double bounds[6]);
    // The lines: the two end nodes of line k at ends[2k], ends[2k+1]. Colours are reset to opaque white.
    void setLines(std::vector<uint32_t> ends);
    // Packed RGBA per line (red in the lowest byte), in the order of the lines. Call Modified() after
    // changing them.
    std::vector<uint32_t>& colors() { return rgba_; }
    const std::vector<uint32_t>& ends() const { return ends_; }
    size_t lineCount() const { return rgba_.size(); }
    // Lines drawn by the last frame (0 when it drew nothing, e.g. hidden, lines not shown or during a
    // selection pass).
    size_t lastDrawn() const { return drawn_; }
    // Whether the lines are drawn (default on); the discs are drawn either way.
    void setLinesShown(bool on);
    bool linesShown() const { return linesShown_; }

    // Discs: nodes drawn as shaded discs of their projected radius (`radius` in world units), in packed
    // RGBA (alpha ignored), at the depth of the sphere's front point, after the lines. A cheap stand-in for
    // imposter spheres in frames drawn while the camera moves: a node costs a few pixel writes, not GL
    // primitives. Node ids index the positions given to setNodes.
    void setDiscs(std::vector<uint32_t> nodes, std::vector<uint32_t> rgba, std::vector<float> radius);
    size_t discCount() const { return discNodes_.size(); }
    // Discs drawn by the last frame.
    size_t lastDrawnDiscs() const { return drawnDiscs_; }

    static uint32_t rgba(unsigned char r, unsigned char g, unsigned char b, unsigned char a = 255) {
        return uint32_t(r) | uint32_t(g) << 8 | uint32_t(b) << 16 | uint32_t(a) << 24;
    }

    double* GetBounds() override;
    vtkTypeBool HasTranslucentPolygonalGeometry() override { return 0; }
    int RenderOpaqueGeometry(vtkViewport* vp) override;
    void ReleaseGraphicsResources(vtkWindow* win) override;

protected:
    LineSplat();
    ~LineSplat() override;

private:
    static constexpr float kEmpty = 2.0f; // depth of a pixel no line covers (beyond the far plane)

    // Where a thread draws: the rows [y0, y1) of the depth and colour images (w pixels wide, h rows).
    struct Band {
        float* depth;
        uint32_t* rgba;
        int w, h, y0, y1;
    };
    void project(const double m[16], int w, int h, size_t lo, size_t hi);
    template <bool XMajor, bool ClipDepth>
    static void walk(int i0, int i1, int iStart, float o, float z, float so, float sz, uint32_t c,
                     const Band& b);
    static void disc(float cx, float cy, float cz, float r, uint32_t c, const Band& b);
    static void line(float ax, float ay, float az, float bx, float by, float bz, uint32_t c, const Band& b);
    void clippedLine(const double m[16], uint32_t a, uint32_t b, uint32_t c, const Band& band) const;
    void splat(vtkOpenGLRenderer* ren, int w, int h);
    void composite(vtkOpenGLRenderWindow* rw, int w, int h);
    // The pixels [x0, x1) x [y0, y1) of this frame that lines or discs can touch (the bounding box of the
    // projected nodes plus the largest disc, or the whole image when a node lies behind the camera): only
    // these are cleared, uploaded and composited.
    int rect_[4] = {0, 0, 0, 0};

    std::shared_ptr<const void> owner_;
    const float *x_ = nullptr, *y_ = nullptr, *z_ = nullptr;
    size_t nodes_ = 0;
    std::vector<uint32_t> ends_, rgba_;
    bool linesShown_ = true;
    std::vector<uint32_t> discNodes_, discRgba_;
    std::vector<float> discRadius_;
    size_t drawnDiscs_ = 0;
    double bounds_[6] = {0, 0, 0, 0, 0, 0};
    std::vector<float> screen_;  // per node: x, y (pixels), depth (0..1), clip w
    std::vector<uint32_t> rows_; // projected nodes per image row (splits the rows among the threads)
    // The depth and colour images of a frame, drawn into and uploaded within one RenderOpaqueGeometry: one
    // pair per rendering thread, shared by every splat (a view's at-rest and moving splats, other views).
    struct Images {
        std::vector<uint32_t> color;
        std::vector<float> depth;
    };
    static Images& images();
    std::unique_ptr<vtkOpenGLQuadHelper> quad_;
    vtkNew<vtkTextureObject> colorTex_, depthTex_;
    size_t drawn_ = 0;
};

// A drawing order of `count` lines: ordered by the coarse grid cell (64^3 over `bounds`, VTK order) of their
// midpoints, cells in x-fastest order, so that lines drawn in this order touch neighbouring pixels (a
// counting sort, two passes). Line k joins src[e] and dst[e] with e = ids ? ids[k] : k; the result is a
// permutation of 0 .. count-1.
std::vector<uint32_t> spatialLineOrder(const float* x, const float* y, const float* z, const uint32_t* src,
                                       const uint32_t* dst, const uint32_t* ids, size_t count,
                                       const double bounds[6]);
