// Turns `neurorama --help` into a man page, so the page never drifts from the program's own help.
//   nr_manpage HELP.txt VERSION > neurorama.1
// The help text is sections: a line at column 0 ending in ':' heads one. "Usage:" becomes SYNOPSIS, kept as
// written; in the other sections a line indented by two spaces starts an entry (a term, then after two or
// more spaces its description) and deeper lines continue it; other text is a paragraph.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string escape(const std::string& s, bool dashes) {
    std::string o;
    for (char c : s) {
        if (c == '\\')
            o += "\\e";
        else if (c == '-' && dashes)
            o += "\\-";
        else
            o += c;
    }
    if (!o.empty() && (o[0] == '.' || o[0] == '\'')) o = "\\&" + o;
    return o;
}

size_t indentOf(const std::string& l) {
    size_t i = 0;
    while (i < l.size() && l[i] == ' ') ++i;
    return i;
}

std::string trim(const std::string& s) {
    const size_t a = s.find_first_not_of(' ');
    if (a == std::string::npos) return {};
    return s.substr(a, s.find_last_not_of(' ') - a + 1);
}

std::string upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
    return s;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: nr_manpage HELP.txt VERSION\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    if (!in) {
        std::cerr << argv[1] << ": cannot be read\n";
        return 1;
    }
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    if (lines.empty() || lines[0] != "Usage:") {
        std::cerr << argv[1] << ":1: the help does not start with 'Usage:'\n";
        return 1;
    }
    std::ostringstream out;
    out << ".TH NEURORAMA 1 \"\" \"neurorama " << argv[2] << "\" \"User Commands\"\n"
        << ".SH NAME\nneurorama \\- explore connectomes, neurons, vessels and spiking simulations in one "
           "window\n";
    std::string section;
    bool inEntry = false, synopsisOpen = false;
    size_t entries = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string& l = lines[i];
        const bool header = !l.empty() && l[0] != ' ' && l.back() == ':';
        if (header) {
            if (synopsisOpen) out << ".fi\n";
            synopsisOpen = false;
            inEntry = false;
            section = l.substr(0, l.size() - 1);
            if (section == "Usage") {
                out << ".SH SYNOPSIS\n.nf\n";
                synopsisOpen = true;
            } else {
                out << ".SH " << escape(upper(section), false) << "\n";
            }
            continue;
        }
        if (synopsisOpen) {
            out << escape(l, true) << "\n";
            continue;
        }
        if (trim(l).empty()) {
            inEntry = false;
            continue;
        }
        const size_t ind = indentOf(l);
        if (ind == 2) {
            // An entry: the term runs to the first gap of two or more spaces.
            const std::string body = l.substr(2);
            const size_t gap = body.find("  ");
            const std::string term = gap == std::string::npos ? body : body.substr(0, gap);
            const std::string desc = gap == std::string::npos ? std::string() : trim(body.substr(gap));
            out << ".TP\n.B " << escape(term, true) << "\n";
            if (!desc.empty()) out << escape(desc, false) << "\n";
            inEntry = true;
            ++entries;
        } else if (ind > 2 && inEntry) {
            out << escape(trim(l), false) << "\n";
        } else {
            if (!inEntry) out << ".PP\n";
            out << escape(trim(l), false) << "\n";
            inEntry = false;
        }
    }
    if (synopsisOpen) out << ".fi\n";
    if (entries == 0) {
        std::cerr << argv[1] << ": the help has no option entries\n";
        return 1;
    }
    out << ".SH DESCRIPTION\n"
           "Neurorama opens connectomes (edge lists with node tables, GraphML, GML), whole-brain vessel "
           "graphs,\n"
           "SWC morphologies, label and image volumes (Zarr, HDF5, NRRD, TIFF), spike recordings (CSV, NPY, "
           "NWB)\n"
           "and calcium-imaging traces as layers of one workspace, runs an embedded spiking-network "
           "simulator,\n"
           "runs analyses that come as plugins, and exports figures (PNG, TIFF, SVG, PDF). Every window mode "
           "has\n"
           "a headless twin that prints one summary line and exits non-zero on failure.\n"
        << ".SH SEE ALSO\nThe plugin SDK: /usr/share/doc/neurorama/SDK.md\n";
    std::cout << out.str();
    return 0;
}
