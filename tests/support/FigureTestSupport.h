// Shared by the figure suites: an empty figure page of a size and grid.
#pragma once

#include <string>

#include "session/Figure.h"

namespace nrtest {

// A figure named `name`, `widthMm` x `heightMm`, with a grid of `rows` x `cols` cells and no panels yet.
inline nr::Figure figurePage(const std::string& name, double widthMm, double heightMm, int rows, int cols) {
    nr::Figure f;
    f.name = name;
    f.widthMm = widthMm;
    f.heightMm = heightMm;
    f.rows = rows;
    f.cols = cols;
    return f;
}

} // namespace nrtest
