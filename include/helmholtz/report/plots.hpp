#pragma once
// The report's plots: gnuplot data files and one script per dataset, written into a folder,
// then run through gnuplot (terminal pngcairo, Debian package gnuplot-nox).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "helmholtz/report/estimate.hpp"

namespace helmholtz::report {

struct PlotImage {
  std::string file;   // PNG name inside the plots folder
  std::string title;  // what it shows
};

struct PlotScript {
  std::string dataset;
  std::filesystem::path script;   // the .gp file; gnuplot runs it from its own folder
  std::vector<PlotImage> images;  // what it draws
};

// Writes, per dataset, the data files and a gnuplot script drawing: accuracy (mean of the 10
// best) vs level, one line per model; convergence epoch vs level; accuracy vs bits per sample
// (log scale), one line per (model, codec); and per (model, codec) the validation accuracy over
// epochs, one line per level. A dataset with several codecs gets the level-axis plots per codec
// (<dataset>-<codec>-accuracy-vs-level.png: levels of two codecs are not comparable), its
// lines titled "<model> (<codec>, setting N)", and the per-epoch plots named with the codec;
// a dataset of one codec keeps the names and titles of before codecs.
// Throws core::RunError when a file cannot be written.
std::vector<PlotScript> write_plot_files(const std::vector<Cell>& cells,
                                         const std::filesystem::path& plots_dir);

// Per (dataset, model, train codec, test codec) with cross-evaluation cells: a heatmap of the
// accuracy, trained level (rows) x tested level (columns), each cell labelled, the diagonal
// outlined.
std::vector<PlotScript> write_cross_eval_plots(const std::vector<CrossCell>& cells,
                                               const std::filesystem::path& plots_dir);

// The path of an executable `program` found on PATH, if any.
std::optional<std::filesystem::path> find_on_path(const std::string& program);

// Runs `gnuplot SCRIPT` in the script's folder. Returns an empty string on success, else what
// went wrong (exit status and gnuplot's messages), naming the script.
std::string run_gnuplot(const std::filesystem::path& gnuplot, const std::filesystem::path& script);

// `text` quoted for a POSIX shell (single quotes).
std::string shell_quote(const std::string& text);

}  // namespace helmholtz::report
