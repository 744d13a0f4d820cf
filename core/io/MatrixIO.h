// Dense adjacency matrices read as graphs, and files that add node columns to a graph with integer ids.
//
// A matrix of n x n numbers gives n nodes and one edge per non-zero cell (row = source, column = target,
// the cell's value = weight). A symmetric matrix gives an undirected graph (Graph::directed false) with each
// pair once (the upper triangle and the diagonal); any other a directed one. Node names come from a header
// row or an index column of names when the file has one, else they are the row numbers 0 .. n-1 (what
// numpy and networkx number them).
//
// Text (CSV, TSV, ';' or whitespace-separated; '#' and '%' lines are comments): rows of numbers, with or
// without a header row of names (an empty first header cell or one fewer header field than values means an
// index column follows) and with or without an index column of names. Every row must have the same number
// of values as the first; there must be as many rows as columns. NaN, infinite and empty cells are refused
// with their line and column. NPY: a 2-D square array of a numeric type (float, int, uint, bool), C or
// Fortran order. HDF5 (and MATLAB v7.3 .mat files, which are HDF5 after a 512-byte user block): the 2-D
// square numeric dataset named by the `array` option, or the only one in the file; read in a child process
// (io/Hdf5Sandbox.h). MATLAB stores arrays column-major, so a .mat matrix reads transposed back.
//
// Each reader checks the memory budget before it allocates (an NPY or HDF5 header that claims 100,000 x
// 100,000 values is refused by its shape, before any data is read); text lines are capped as for every
// delimited reader (csv::kMaxLineBytes).
#pragma once

#include <string>
#include <vector>

#include "io/GraphIO.h"
#include "model/Error.h"
#include "model/Graph.h"

namespace nr {

Result<Graph> readMatrixText(const std::string& path, const ReadOptions& opt = {});
Result<Graph> readMatrixNpy(const std::string& path, const ReadOptions& opt = {});
// `array`: path of the dataset inside the file ("" = the only 2-D numeric dataset).
Result<Graph> readMatrixHdf5(const std::string& path, const std::string& array, const ReadOptions& opt = {});

// Content sniffs (on a file's first bytes): a block of numbers with as many rows as columns (estimated
// from the file's size when the head holds only part of it), with or without a header row and index column.
// 0 not a matrix, 2 fits (rows estimated from the size), 3 certain (the whole file is square, or header names
// equal the index names).
int sniffMatrixText(const std::string& path, const std::string& head);
// An NPY header of a 2-D square numeric array.
bool isSquareNpyHead(const std::string& head, const std::string& path);
// The HDF5 signature at byte 0, or at byte 512 (a MATLAB v7.3 file).
bool isMatFileHead(const std::string& head);
// An HDF5 file (opened in the reading child) whose only 2-D dataset is square, with no volume and no time
// axis beside it: 3; another HDF5 file: 1 (a matrix only when asked for); 0 when it cannot be opened.
int sniffMatrixHdf5(const std::string& path);

// A label or node file beside a graph whose nodes are numbered (names "0" .. "n-1" or "1" .. "n"):
// - one label per line and as many lines as nodes (no delimiter, no header): the labels become the node
//   column `class` (Graph::nodeClass), line k for node k;
// - a table with a header: rows join by an integer key column (ROI, id, index, node, label when every value
//   is an integer naming a node) or else, when it has as many rows as the graph has nodes, by row order.
//   Columns x,y,z become positions; class|cell_type|type|group the class; c_R, c_G, c_B (0..255 or 0..1) the
//   node colour, kept as the text column `color` ("#rrggbb"); other columns numeric or text columns.
// Refused: a line count or row count that fits no node, keys out of range, names that are not numbers.
struct LabelJoin {
    size_t matched = 0;
    std::string how; // "by line", "by row order", "by column 'ROI'"
};
Result<LabelJoin> joinNodeLabels(const std::string& path, Graph& g);
// True when g's node names are the integers 0..n-1 or 1..n in order.
bool hasIndexNames(const Graph& g, int* base = nullptr);

} // namespace nr
