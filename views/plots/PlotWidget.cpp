#include "plots/PlotWidget.h"

#include "model/Palette.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QImageWriter>
#include <QOpenGLContext>
#include <QOpenGLFramebufferObject>
#include <QOpenGLShaderProgram>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <algorithm>
#include <cmath>
#include <tiffio.h>

#include "imgui/ImGuiLayer.h"

// The shaders are compiled into this static library; a static library's resources must be registered by hand.
static void initShaderResources() {
    Q_INIT_RESOURCE(shaders);
}

namespace {

// TIFF with the resolution tags set (Qt ships no TIFF writer here). RGB, or RGBA with straight alpha.
bool writeTiff(const QImage& image, const QString& path, int dpi, QString* error) {
    const bool alpha = image.hasAlphaChannel();
    const QImage img = image.convertToFormat(alpha ? QImage::Format_RGBA8888 : QImage::Format_RGB888);
    TIFF* tif = TIFFOpen(QFile::encodeName(path).constData(), "w");
    if (!tif) {
        *error = QStringLiteral("could not open for writing");
        return false;
    }
    const uint16_t spp = alpha ? 4 : 3;
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, uint32_t(img.width()));
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, uint32_t(img.height()));
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, spp);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, uint16_t(8));
    TIFFSetField(tif, TIFFTAG_ORIENTATION, uint16_t(ORIENTATION_TOPLEFT));
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, uint16_t(PLANARCONFIG_CONTIG));
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, uint16_t(PHOTOMETRIC_RGB));
    TIFFSetField(tif, TIFFTAG_COMPRESSION, uint16_t(COMPRESSION_LZW));
    if (alpha) {
        const uint16_t extra[] = {EXTRASAMPLE_UNASSALPHA};
        TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, uint16_t(1), extra);
    }
    TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, uint16_t(RESUNIT_INCH));
    TIFFSetField(tif, TIFFTAG_XRESOLUTION, float(dpi));
    TIFFSetField(tif, TIFFTAG_YRESOLUTION, float(dpi));
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(tif, 0));
    bool ok = true;
    for (int y = 0; y < img.height() && ok; ++y)
        ok = TIFFWriteScanline(tif, const_cast<uchar*>(img.constScanLine(y)), uint32_t(y), 0) >= 0;
    TIFFClose(tif);
    if (!ok) *error = QStringLiteral("could not write TIFF scanlines");
    return ok;
}

} // namespace

PlotWidget::PlotWidget(QWidget* parent) : QOpenGLWidget(parent), imgui_(std::make_unique<ImGuiLayer>(this)) {
    initShaderResources();
    setFormat(defaultFormat());
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(120, 80);
    applyTheme();
}

PlotWidget::~PlotWidget() = default;

QSurfaceFormat PlotWidget::defaultFormat() {
    QSurfaceFormat f = QSurfaceFormat::defaultFormat();
    f.setRenderableType(QSurfaceFormat::OpenGL);
    f.setVersion(3, 3);
    f.setProfile(QSurfaceFormat::CoreProfile);
    f.setAlphaBufferSize(8);
    return f;
}

void PlotWidget::applyTheme() {
    if (dark_) {
        style_.background = QColor::fromRgbF(0.07f, 0.075f, 0.09f);
        style_.axis = QColor(200, 202, 208);
        style_.text = QColor(225, 227, 232);
        style_.muted = QColor(150, 152, 160);
        style_.dot = QColor(230, 232, 238);
        style_.selection = QColor(255, 200, 60, 60);
        style_.rubberBand = QColor(90, 160, 255, 70);
        style_.band = QColor(90, 160, 255, 70);
    } else {
        style_.background = Qt::white;
        style_.axis = QColor(34, 34, 34);
        style_.text = QColor(17, 17, 17);
        style_.muted = QColor(100, 100, 100);
        style_.dot = Qt::black;
        style_.selection = QColor(255, 190, 0, 70);
        style_.rubberBand = QColor(30, 120, 255, 60);
        style_.band = QColor(31, 119, 180, 60);
    }
}

void PlotWidget::setDarkTheme(bool dark) {
    if (dark == dark_) return;
    dark_ = dark;
    applyTheme();
    update();
}

void PlotWidget::setOverlay(std::function<void()> drawUi) {
    overlay_ = std::move(drawUi);
    update();
}

void PlotWidget::setReadoutsVisible(bool on) {
    readouts_ = on;
    update();
}

void PlotWidget::initializeGL() {
    if (!initializeOpenGLFunctions()) {
        qWarning("PlotWidget: OpenGL 3.3 core functions are not available in this context");
        return;
    }
    disconnect(contextGone_);
    contextGone_ = connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, [this] {
        if (!glReady_) return;
        makeCurrent();
        releaseAll();
        doneCurrent();
    });
    if (glReady_) releasePlotGL();
    initPlotGL();
    glReady_ = true;
    imgui_->initializeGL();
}

void PlotWidget::releaseAll() {
    if (glReady_) releasePlotGL();
    glReady_ = false;
    imgui_->releaseGL();
}

void PlotWidget::teardownGL() {
    if (!glReady_ || !context()) return;
    makeCurrent();
    releaseAll();
    doneCurrent();
}

bool PlotWidget::event(QEvent* e) {
    if (imgui_->isInitialized() && imgui_->handleEvent(e)) return true;
    return QOpenGLWidget::event(e);
}

void PlotWidget::paintGL() {
    if (!glReady_) return;
    QElapsedTimer timer;
    timer.start();
    syncGpu();
    const double dpr = devicePixelRatioF();
    exporting_ = false;
    targetScale_ = dpr;
    targetHeightPx_ = int(std::lround(height() * dpr));
    glViewport(0, 0, int(std::lround(width() * dpr)), targetHeightPx_);
    glDisable(GL_SCISSOR_TEST);
    const QColor& bg = style_.background;
    glClearColor(bg.redF(), bg.greenF(), bg.blueF(), 1.f);
    glClear(GL_COLOR_BUFFER_BIT);
    drawGL(QSizeF(size()), dpr);
    glDisable(GL_SCISSOR_TEST);
    glViewport(0, 0, int(std::lround(width() * dpr)), targetHeightPx_);
    // Hand QPainter's GL engine a clean state: it does not expect our VAO, program or textures bound.
    glBindVertexArray(0);
    glUseProgram(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, 0);
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.setRenderHint(QPainter::TextAntialiasing);
        drawAnnotations(p, QSizeF(size()));
    }
    frameMs_ = timer.nsecsElapsed() / 1e6;
    if (imgui_->isInitialized() && (readouts_ || overlay_))
        imgui_->render([this] {
            if (readouts_) drawReadouts();
            if (overlay_) overlay_();
        });
}

void PlotWidget::makeTexture(GLuint& tex) {
    glGenTextures(1, &tex);
    glBindTexture(GL_TEXTURE_2D, tex);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glBindTexture(GL_TEXTURE_2D, 0);
}

void PlotWidget::makeVertexArray(GLuint& vao, GLuint& vbo, std::initializer_list<int> sizes, const void* data,
                                 size_t bytes) {
    glGenVertexArrays(1, &vao);
    glGenBuffers(1, &vbo);
    glBindVertexArray(vao);
    glBindBuffer(GL_ARRAY_BUFFER, vbo);
    if (data) glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(bytes), data, GL_STATIC_DRAW);
    int stride = 0;
    for (int n : sizes) stride += n;
    GLuint index = 0;
    size_t offset = 0;
    for (int n : sizes) {
        glEnableVertexAttribArray(index);
        glVertexAttribPointer(index++, n, GL_FLOAT, GL_FALSE, GLsizei(stride * sizeof(float)),
                              reinterpret_cast<const void*>(offset * sizeof(float)));
        offset += size_t(n);
    }
}

void PlotWidget::setViewport(const QRectF& r) {
    const double s = targetScale_;
    const int x = int(std::lround(r.left() * s));
    const int w = std::max(1, int(std::lround(r.right() * s)) - x);
    const int top = int(std::lround(r.top() * s));
    const int h = std::max(1, int(std::lround(r.bottom() * s)) - top);
    const int y = targetHeightPx_ - top - h;
    glViewport(x, y, w, h);
    glScissor(x, y, w, h);
    glEnable(GL_SCISSOR_TEST);
}

std::unique_ptr<QOpenGLShaderProgram> PlotWidget::loadProgram(const QString& name) {
    auto prog = std::make_unique<QOpenGLShaderProgram>();
    const QString base = QStringLiteral(":/shaders/") + name;
    if (!prog->addShaderFromSourceFile(QOpenGLShader::Vertex, base + QStringLiteral(".vert")) ||
        !prog->addShaderFromSourceFile(QOpenGLShader::Fragment, base + QStringLiteral(".frag")) ||
        !prog->link()) {
        qWarning("%s: shader program failed: %s", qPrintable(base), qPrintable(prog->log()));
        return nullptr;
    }
    return prog;
}

QFont PlotWidget::labelFont(double px) const {
    QFont f = font();
    f.setPixelSize(std::max(1, int(std::lround(px > 0 ? px : style_.fontPx))));
    return f;
}

QFont PlotWidget::rowLabelFont(double rowH) const {
    return labelFont(figure_ ? style_.fontPx : std::clamp(rowH * 0.9, 6.0, 10.0));
}

int PlotWidget::rowLabelEvery(double rowH) const {
    const double need = figure_ ? style_.fontPx * 1.15 : 8.0;
    return std::max(1, int(std::ceil(need / std::max(rowH, 1e-6))));
}

void PlotWidget::drawText(QPainter& p, const QRectF& r, int flags, const QString& s) const {
    p.setPen(style_.text);
    p.drawText(r, flags, s);
}

double PlotWidget::exportScale(QSize pixels) const {
    const int ref = width() >= 200 ? width() : 800;
    return std::max(1.0, pixels.width() / double(ref));
}

bool PlotWidget::ensureContext() {
    if (!glReady_ || !context()) grabFramebuffer(); // initializes the GL side of a widget never shown
    return glReady_ && context();
}

double PlotWidget::figureScale(QSize pixels, int dpi, double fontPt) const {
    if (dpi <= 0 || !(fontPt > 0)) return exportScale(pixels);
    const double s = fontPt * dpi / 72.0 / style_.fontPx;
    // A figure too small for its text at that size gets smaller text rather than a broken layout.
    return std::max(1e-3, std::min(s, pixels.width() / 240.0));
}

double PlotWidget::figureFontPt(QSize pixels, int dpi, double fontPt) const {
    return style_.fontPx * figureScale(pixels, dpi, fontPt) * 72.0 / std::max(1, dpi);
}

QImage PlotWidget::renderImage(QSize pixels, bool transparent) {
    return renderAt(pixels, exportScale(pixels), transparent);
}

QImage PlotWidget::renderAt(QSize pixels, double scale, bool transparent) {
    if (pixels.isEmpty() || !ensureContext()) return QImage();
    makeCurrent();
    GLint maxRb = 4096, maxVp[2] = {4096, 4096};
    glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &maxRb);
    glGetIntegerv(GL_MAX_VIEWPORT_DIMS, maxVp);
    // Beyond the driver's limits the largest image of the same aspect is rendered, then scaled.
    const double shrink = std::min({1.0, double(std::min<GLint>(maxRb, maxVp[0])) / pixels.width(),
                                    double(std::min<GLint>(maxRb, maxVp[1])) / pixels.height()});
    const QSize px(std::max(1, int(pixels.width() * shrink)), std::max(1, int(pixels.height() * shrink)));
    const double s = scale * shrink;
    const QSizeF logical(px.width() / s, px.height() / s);

    syncGpu();
    QOpenGLFramebufferObjectFormat fmt;
    fmt.setAttachment(QOpenGLFramebufferObject::NoAttachment);
    fmt.setInternalTextureFormat(GL_RGBA8);
    QOpenGLFramebufferObject fbo(px, fmt);
    QImage img;
    if (fbo.isValid() && fbo.bind()) {
        exporting_ = true;
        targetScale_ = s;
        targetHeightPx_ = px.height();
        glDisable(GL_SCISSOR_TEST);
        glViewport(0, 0, px.width(), px.height());
        const QColor& bg = style_.background;
        if (transparent)
            glClearColor(0, 0, 0, 0);
        else
            glClearColor(bg.redF(), bg.greenF(), bg.blueF(), 1.f);
        glClear(GL_COLOR_BUFFER_BIT);
        drawGL(logical, s);
        glDisable(GL_SCISSOR_TEST);
        glFinish();
        img = fbo.toImage();
        fbo.release();
        exporting_ = false;
    }
    doneCurrent();
    if (img.isNull()) {
        lastError_ = QStringLiteral("could not render a %1x%2 framebuffer").arg(px.width()).arg(px.height());
        return img;
    }
    img = img.convertToFormat(QImage::Format_ARGB32_Premultiplied);
    {
        QPainter p(&img);
        p.setRenderHint(QPainter::Antialiasing);
        p.setRenderHint(QPainter::TextAntialiasing);
        p.scale(s, s);
        drawAnnotations(p, logical);
    }
    if (px != pixels) img = img.scaled(pixels, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    return img;
}

void PlotWidget::paintVector(QPainter& p, const QRectF& rect, bool transparent) {
    paintVectorAt(p, rect, exportScale(rect.size().toSize()), transparent);
}

void PlotWidget::paintVectorAt(QPainter& p, const QRectF& rect, double s, bool transparent) {
    if (rect.isEmpty()) return;
    const QSizeF logical(rect.width() / s, rect.height() / s);
    p.save();
    p.translate(rect.topLeft());
    p.scale(s, s);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    if (!transparent) p.fillRect(QRectF(QPointF(0, 0), logical), style_.background);
    drawVectorData(p, logical);
    drawAnnotations(p, logical);
    p.restore();
}

void PlotWidget::paintFigurePanel(QPainter& p, const QRectF& rect, int dpi, double fontPt) {
    const bool was = figure_;
    figure_ = true;
    paintVectorAt(p, rect, figureScale(rect.size().toSize(), dpi, fontPt), false);
    figure_ = was;
}

bool PlotWidget::writeTiffFile(const QImage& image, const QString& path, int dpi, QString* error) {
    return writeTiff(image, path, dpi, error);
}

bool PlotWidget::exportFigure(const QString& path, QSize pixels, int dpi, bool transparent, double fontPt) {
    lastError_.clear();
    if (pixels.width() < 1 || pixels.height() < 1 || pixels.width() > 32768 || pixels.height() > 32768) {
        lastError_ = QStringLiteral("%1: figure size %2x%3 is outside 1..32768 pixels")
                         .arg(path)
                         .arg(pixels.width())
                         .arg(pixels.height());
        return false;
    }
    if (dpi < 1) {
        lastError_ = QStringLiteral("%1: resolution %2 dpi must be positive").arg(path).arg(dpi);
        return false;
    }
    const QString ext = QFileInfo(path).suffix().toLower();
    struct FigureFlag {
        bool& f;
        explicit FigureFlag(bool& x) : f(x) { f = true; }
        ~FigureFlag() { f = false; }
    } inFigure(figure_);
    if (ext == QLatin1String("png") || ext == QLatin1String("tif") || ext == QLatin1String("tiff")) {
        QImage img = renderAt(pixels, figureScale(pixels, dpi, fontPt), transparent);
        if (img.isNull()) {
            lastError_ = path + QStringLiteral(": ") + lastError_;
            return false;
        }
        if (!transparent) img = img.convertToFormat(QImage::Format_RGB32);
        const int dpm = int(std::lround(dpi / 0.0254));
        img.setDotsPerMeterX(dpm);
        img.setDotsPerMeterY(dpm);
        if (ext == QLatin1String("png")) {
            QImageWriter writer(path, "png");
            if (!writer.write(img)) {
                lastError_ = path + QStringLiteral(": ") + writer.errorString();
                return false;
            }
        } else {
            QString err;
            if (!writeTiff(img, path, dpi, &err)) {
                lastError_ = path + QStringLiteral(": ") + err;
                return false;
            }
        }
    } else if (ext == QLatin1String("svg")) {
        QSvgGenerator gen;
        gen.setFileName(path);
        gen.setSize(pixels);
        gen.setViewBox(QRect(QPoint(0, 0), pixels));
        gen.setResolution(dpi);
        gen.setTitle(QStringLiteral("Neurorama plot"));
        QPainter p;
        if (!p.begin(&gen)) {
            lastError_ = path + QStringLiteral(": could not open for writing");
            return false;
        }
        paintVectorAt(p, QRectF(QPointF(0, 0), QSizeF(pixels)), figureScale(pixels, dpi, fontPt),
                      transparent);
        if (!p.end()) {
            lastError_ = path + QStringLiteral(": could not write SVG");
            return false;
        }
    } else if (ext == QLatin1String("pdf")) {
        QPdfWriter pdf(path);
        pdf.setResolution(dpi);
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setPageSize(QPageSize(QSizeF(pixels.width() * 25.4 / dpi, pixels.height() * 25.4 / dpi),
                                  QPageSize::Millimeter, QString(), QPageSize::ExactMatch));
        QPainter p;
        if (!p.begin(&pdf)) {
            lastError_ = path + QStringLiteral(": could not open for writing");
            return false;
        }
        paintVectorAt(p, QRectF(0, 0, pdf.width(), pdf.height()),
                      figureScale(QSize(pdf.width(), pdf.height()), dpi, fontPt), transparent);
        if (!p.end()) {
            lastError_ = path + QStringLiteral(": could not write PDF");
            return false;
        }
    } else {
        lastError_ =
            QStringLiteral("%1: unknown figure format '.%2' (use .png, .tif, .svg or .pdf)").arg(path, ext);
        return false;
    }
    emit exported(path);
    return true;
}

std::vector<double> PlotWidget::niceTicks(double lo, double hi, int maxTicks) {
    std::vector<double> out;
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi) || maxTicks < 1) return out;
    const double raw = (hi - lo) / maxTicks;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= raw) {
            step = m * mag;
            break;
        }
    const double first = std::ceil(lo / step - 1e-9) * step;
    for (int i = 0; i < 1000; ++i) {
        const double v = first + i * step;
        if (v > hi + step * 1e-9) break;
        out.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
    }
    return out;
}

QString PlotWidget::tickLabel(double v, double step) {
    int decimals = 0;
    if (step > 0 && step < 1) decimals = std::min(9, int(std::ceil(-std::log10(step) - 1e-9)));
    if (std::abs(v) < step * 1e-6) v = 0;
    return QString::number(v, 'f', decimals);
}

QColor PlotWidget::viridis(double x) {
    const nr::palette::Rgb c = nr::palette::viridis(x);
    return QColor(c.r, c.g, c.b);
}

QColor PlotWidget::categorical(int i) {
    static const QRgb k[10] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                               0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    return QColor(k[((i % 10) + 10) % 10]);
}
