#include "helmholtz/report/plots.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "helmholtz/core/error.hpp"
#include "helmholtz/core/files.hpp"

namespace helmholtz::report {
namespace fs = std::filesystem;

namespace {

std::string number(double v) {
  if (!std::isfinite(v)) return "?";  // gnuplot's missing value (set datafile missing '?')
  char text[64];
  std::snprintf(text, sizeof text, "%.10g", v);
  return text;
}

std::string number(std::optional<double> v) { return v ? number(*v) : "?"; }

// A file name part: letters, digits, '.', '-' and '_' kept, anything else '_'.
std::string file_part(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool keep =
        std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    out += keep ? c : '_';
  }
  return out.empty() ? "_" : out;
}

// A gnuplot single-quoted string (a quote inside is doubled).
std::string gp_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    if (c != '\n' && c != '\r') out += c;
  }
  return out + "'";
}

// "q5" / "32 kbit/s" / "raw"; on an axis already labelled in kbit/s, a bitrate is its number.
std::string level_label(const std::string& kind, const Level& level, bool on_axis = false) {
  if (level.raw) return "raw";
  if (kind == "bitrate") return level.to_string() + (on_axis ? "" : " kbit/s");
  return "q" + level.to_string();
}

// "JPEG quality", "WebP quality", "MP3 bitrate (kbit/s)": the level axis of one codec.
std::string codec_axis_label(const std::string& kind, const std::string& codec) {
  if (kind == "bitrate") return codec_display_name(codec) + " bitrate (kbit/s)";
  if (codec == "j2k") return codec_display_name(codec) + " quality (PSNR target, dB)";
  return codec_display_name(codec) + " quality";
}

// The accuracy axis, quoted: the measure the cells are scored by (make_cells).
std::string accuracy_axis_label(const Cell& cell) {
  return gp_quote(cell.accuracy_measure == AccuracyMeasure::kTest
                      ? "accuracy: test, kept weights (%)"
                      : "accuracy: mean of 10 best val_acc (%)");
}

std::string axis_label(const std::vector<const Cell*>& cells) {
  bool quality = false, bitrate = false, one_codec = true;
  for (const Cell* c : cells) {
    (c->level_kind == "quality" ? quality : bitrate) = true;
    one_codec &= c->codec == cells.front()->codec;
  }
  if (quality == bitrate) return "level";
  const std::string kind = quality ? "quality" : "bitrate";
  if (one_codec) return codec_axis_label(kind, cells.front()->codec);
  return quality ? "quality" : "bitrate (kbit/s)";
}

// One line of the plots: a model (and setting) through one codec.
struct Series {
  std::string name;
  int setting = 0;
  std::string codec;
  std::vector<const Cell*> cells;  // in level order
};

// Half the width of a cell's accuracy interval over seeds (none for a cell of one run).
std::optional<double> ci_half(const Cell& c) {
  if (!c.interval_over_seeds || !c.accuracy_interval) return std::nullopt;
  return (c.accuracy_interval->high - c.accuracy_interval->low) / 2;
}

// One dataset's plots: data files and the script. With one codec, one plot of each kind; with
// several, the level-axis plots per codec (their levels are in each codec's own scale) and one
// accuracy-vs-bits plot with a line per model and codec.
PlotScript write_dataset(const std::string& dataset, const std::vector<const Cell*>& cells,
                         const fs::path& dir) {
  std::vector<Series> series;
  std::vector<std::string> codecs;
  bool several_seeds = false;
  for (const Cell* c : cells) {
    if (std::find(codecs.begin(), codecs.end(), c->codec) == codecs.end()) {
      codecs.push_back(c->codec);
    }
    auto it = std::find_if(series.begin(), series.end(), [&](const Series& m) {
      return m.name == c->model && m.setting == c->setting && m.codec == c->codec;
    });
    if (it == series.end()) {
      series.push_back({c->model, c->setting, c->codec, {}});
      it = series.end() - 1;
    }
    it->cells.push_back(c);
    several_seeds |= c->runs > 1;
  }
  std::sort(codecs.begin(), codecs.end(), codec_before);
  std::stable_sort(series.begin(), series.end(), [](const Series& a, const Series& b) {
    if (std::tie(a.setting, a.name) != std::tie(b.setting, b.name)) {
      return std::tie(a.setting, a.name) < std::tie(b.setting, b.name);
    }
    return codec_before(a.codec, b.codec);
  });
  const bool several_codecs = codecs.size() > 1;
  const std::string kind = cells.front()->level_kind;
  const std::string stem = file_part(dataset);
  // "all-cnns (setting 0)"; with several codecs "all-cnns (webp, setting 0)"; a network from
  // an architecture file (setting -1) by its name alone.
  const auto title_of = [&](const Series& m) {
    std::string extra = several_codecs ? m.codec : std::string();
    if (m.setting >= 0) {
      extra += (extra.empty() ? "" : ", ") + std::string("setting ") + std::to_string(m.setting);
    }
    return extra.empty() ? m.name : m.name + " (" + extra + ")";
  };

  // Per level and series: x, level, bits, accuracy %, its std, convergence, its std, runs. A
  // levels file lists each series' levels in level order, the bits file in order of bits.
  const std::string bits_file = stem + ".bits.dat";
  const std::string columns =
      "# x level bits_per_sample accuracy_pct accuracy_ci95_half_pct convergence_epoch "
      "convergence_std runs train_samples\n";
  const auto pct = [](std::optional<double> v) { return v ? std::optional(*v * 100) : v; };
  const auto row_of = [&](const Cell* c, double x) {
    return number(x) + " " + c->level.to_string() + " " + number(c->bits.mean) + " " +
           number(pct(c->accuracy.mean)) + " " + number(pct(ci_half(*c)).value_or(0)) + " " +
           number(c->convergence.mean) + " " + number(c->convergence.std.value_or(0)) + " " +
           std::to_string(c->runs) + " " + number(c->train_samples.mean) + "\n";
  };

  PlotScript plot;
  plot.dataset = dataset;
  plot.script = dir / (stem + ".gp");
  const std::string style = several_seeds ? "yerrorlines" : "linespoints";
  // Accuracy bars: the 95% t-interval over seeds; convergence bars: the std over seeds.
  const std::string seeds_note =
      several_seeds ? " (seed mean, 95% t bars)" : "";
  std::string gp = "# helmholtz report: plots of " + dataset + ". Data: " + stem +
                   (several_codecs ? ".<codec>" : "") + ".levels.dat, " + bits_file + " and " +
                   stem + ".<model>" + (several_codecs ? ".<codec>" : "") +
                   ".epochs.dat.\n"
                   "# Draw again with: gnuplot " +
                   stem +
                   ".gp (in this folder).\n"
                   "set terminal pngcairo size 1000,620 noenhanced font 'sans,11' linewidth 1.5\n"
                   "set datafile missing '?'\n"
                   "set grid lc rgb '#d0d0d0'\n"
                   "set border lc rgb '#404040'\n"
                   "set key outside right top spacing 1.2\n"
                   "set bars small\n"
                   "set title font ',13'\n"
                   "set offsets 0, 0, graph 0.05, graph 0.05\n"
                   "set style line 1 lc rgb '#1f77b4' pt 7 ps 1.1\n"
                   "set style line 2 lc rgb '#d62728' pt 5 ps 1.1\n"
                   "set style line 3 lc rgb '#2ca02c' pt 9 ps 1.3\n"
                   "set style line 4 lc rgb '#9467bd' pt 11 ps 1.3\n"
                   "set style line 5 lc rgb '#ff7f0e' pt 13 ps 1.3\n"
                   "set style line 6 lc rgb '#17becf' pt 15 ps 1.3\n"
                   "set style line 7 lc rgb '#8c564b' pt 7 ps 1.1\n"
                   "set style line 8 lc rgb '#7f7f7f' pt 5 ps 1.1\n";
  // `lines`: the series drawn, in the order of the file's blocks; their styles follow their
  // place among all the dataset's series, so a line keeps its colour from plot to plot.
  const auto style_of = [&](const Series* m) {
    return std::to_string(static_cast<std::size_t>(m - series.data()) % 8 + 1);
  };
  const auto model_lines = [&](const std::string& file, const std::string& columns,
                               const std::vector<const Series*>& lines) {
    std::string out = "plot ";
    for (std::size_t m = 0; m < lines.size(); ++m) {
      out += (m ? ", \\\n     " : "") + gp_quote(file) + " index " + std::to_string(m) + " using " +
             columns + " with " + style + " ls " + style_of(lines[m]) + " lw 2 title " +
             gp_quote(title_of(*lines[m]));
    }
    return out + "\n";
  };
  const auto add = [&](const std::string& file, const std::string& title) {
    plot.images.push_back({file, title});
    gp += "\nset output " + gp_quote(file) + "\nset title " + gp_quote(title) + "\n";
  };

  // The level-axis plots: of all series with one codec, else of each codec's series.
  const std::vector<std::string> groups =
      several_codecs ? codecs : std::vector<std::string>{std::string()};
  std::map<Level, std::pair<double, int>> level_bits;  // mean bits per level (one codec only)
  for (const auto& group : groups) {
    std::vector<const Series*> lines;
    std::vector<const Cell*> group_cells;
    std::vector<Level> levels;
    for (const auto& m : series) {
      if (!group.empty() && m.codec != group) continue;
      lines.push_back(&m);
      for (const Cell* c : m.cells) {
        group_cells.push_back(c);
        if (std::find(levels.begin(), levels.end(), c->level) == levels.end()) {
          levels.push_back(c->level);
        }
      }
    }
    std::sort(levels.begin(), levels.end());
    const auto x_of = [&](const Level& l) {
      return static_cast<double>(std::find(levels.begin(), levels.end(), l) - levels.begin());
    };
    const std::string part = group.empty() ? std::string() : file_part(group);
    const std::string png_stem = group.empty() ? stem : stem + "-" + part;
    const std::string levels_file = (group.empty() ? stem : stem + "." + part) + ".levels.dat";
    std::string data = "# " + dataset + (group.empty() ? "" : " through " + group) +
                       ": one block per model (gnuplot index 0, 1, ...)\n" + columns;
    for (std::size_t m = 0; m < lines.size(); ++m) {
      data += (m ? "\n\n" : "") + std::string("# ") + lines[m]->name + "\n";
      for (const Cell* c : lines[m]->cells) {
        data += row_of(c, x_of(c->level));
        if (!several_codecs && c->bits.mean && *c->bits.mean > 0) {
          auto& [sum, n] = level_bits[c->level];
          sum += *c->bits.mean;
          ++n;
        }
      }
    }
    core::write_file_atomic(dir / levels_file, data);

    std::string xtics;
    for (std::size_t i = 0; i < levels.size(); ++i) {
      xtics +=
          (i ? ", " : "") + gp_quote(level_label(kind, levels[i], true)) + " " + std::to_string(i);
    }
    const std::string x_label = axis_label(group_cells);
    const auto level_axis = [&] {
      const double pad = levels.size() > 1 ? 0.3 : 0.7;
      return "set xtics nomirror (" + xtics + ")\nset xrange [" + number(-pad) + ":" +
             number(levels.size() - 1 + pad) + "]\n" + "set xlabel " + gp_quote(x_label) + "\n";
    };

    // The accuracy the cells are scored by (make_cells' measure).
    const std::string y_label = accuracy_axis_label(*group_cells.front());
    add(png_stem + "-accuracy-vs-level.png", dataset + ": accuracy vs " + x_label + seeds_note);
    gp += level_axis();
    gp += "set ylabel " + y_label + "\nset autoscale y\n";
    gp += model_lines(levels_file, "1:4" + std::string(several_seeds ? ":5" : ""), lines);

    // At equal storage (models trained under a --storage-budget): accuracy vs level, each
    // point labelled with the training images that budget held at that level.
    std::vector<std::size_t> budgeted;
    for (std::size_t m = 0; m < lines.size(); ++m) {
      if (lines[m]->name.find("-storage-") != std::string::npos) budgeted.push_back(m);
    }
    if (!budgeted.empty()) {
      add(png_stem + "-equal-storage.png",
          dataset + ": accuracy vs " + x_label + " at equal storage" + seeds_note);
      gp += level_axis();
      gp += "set ylabel " + y_label + "\nset autoscale y\nplot ";
      for (std::size_t k = 0; k < budgeted.size(); ++k) {
        const std::size_t m = budgeted[k];
        const std::string index = gp_quote(levels_file) + " index " + std::to_string(m);
        gp += (k ? ", \\\n     " : "") + index + " using 1:4" + (several_seeds ? ":5" : "") +
              " with " + style + " ls " + style_of(lines[m]) + " lw 2 title " +
              gp_quote(lines[m]->name + (several_codecs ? " (" + lines[m]->codec + ")" : "") +
                       " (labels: training images)") +
              ", \\\n     " + index +
              " using 1:4:(sprintf('%d', int($9))) with labels offset 0,1.2 font ',9' notitle";
      }
      gp += "\n";
    }

    // Only when some run converged: gnuplot refuses a plot whose every point is undefined.
    const bool any_converged =
        std::any_of(group_cells.begin(), group_cells.end(),
                    [](const Cell* c) { return c->convergence.mean.has_value(); });
    if (any_converged) {
      add(png_stem + "-convergence-vs-level.png",
          dataset + ": convergence epoch vs " + x_label + seeds_note);
      gp += level_axis();
      gp += "set ylabel 'convergence epoch'\nset autoscale y\n";
      gp += model_lines(levels_file, "1:6" + std::string(several_seeds ? ":7" : ""), lines);
    }
  }

  // Accuracy vs bits: every series on one axis, for bits are comparable across codecs.
  std::string bits_data =
      "# " + dataset + ": one block per model" + (several_codecs ? " and codec" : "") +
      ", levels in order of bits per sample\n" + columns;
  double min_bits = HUGE_VAL, max_bits = 0.0;
  // Each codec's levels: the x column is a level's place among them, as in the levels files.
  std::map<std::string, std::vector<Level>> codec_levels;
  for (const auto& m : series) {
    auto& levels = codec_levels[m.codec];
    for (const Cell* c : m.cells) {
      if (std::find(levels.begin(), levels.end(), c->level) == levels.end()) {
        levels.push_back(c->level);
      }
    }
  }
  for (auto& entry : codec_levels) std::sort(entry.second.begin(), entry.second.end());
  std::vector<const Series*> all_lines;
  for (std::size_t m = 0; m < series.size(); ++m) {
    all_lines.push_back(&series[m]);
    bits_data += (m ? "\n\n" : "") + std::string("# ") + series[m].name +
                 (several_codecs ? " (" + series[m].codec + ")" : "") + "\n";
    std::vector<const Cell*> by_bits;
    const auto& levels = codec_levels[series[m].codec];
    for (const Cell* c : series[m].cells) {
      if (c->bits.mean && *c->bits.mean > 0) {
        by_bits.push_back(c);
        min_bits = std::min(min_bits, *c->bits.mean);
        max_bits = std::max(max_bits, *c->bits.mean);
      }
    }
    std::stable_sort(by_bits.begin(), by_bits.end(),
                     [](const Cell* a, const Cell* b) { return *a->bits.mean < *b->bits.mean; });
    for (const Cell* c : by_bits) {
      bits_data += row_of(c, static_cast<double>(std::find(levels.begin(), levels.end(),
                                                           c->level) - levels.begin()));
    }
  }
  core::write_file_atomic(dir / bits_file, bits_data);

  const std::string x_label = axis_label(cells);
  const std::string y_label = accuracy_axis_label(*cells.front());
  if (max_bits > 0) {
    add(stem + "-accuracy-vs-bits.png", dataset + ": accuracy vs bits per sample" + seeds_note);
    // With one codec, the level of each point is marked on the top axis at its mean bits (with
    // several, a level means something else in each codec).
    std::string x2tics;
    for (const auto& [level, sum_n] : level_bits) {
      x2tics += (x2tics.empty() ? "" : ", ") + gp_quote(level_label(kind, level, true)) + " " +
                number(sum_n.first / sum_n.second);
    }
    const double low = min_bits / 1.3, high = max_bits * 1.3;
    const std::string range = "[" + number(low) + ":" + number(high) + "]";
    // Log-scale ticks at 1, 2 and 5 times powers of ten (gnuplot's own are decades only).
    std::string xtics_bits;
    for (double decade = std::pow(10.0, std::floor(std::log10(low))); decade <= high;
         decade *= 10) {
      for (double m : {1.0, 2.0, 5.0}) {
        if (m * decade < low || m * decade > high) continue;
        xtics_bits += (xtics_bits.empty() ? "" : ", ") + number(m * decade);
      }
    }
    gp += "set logscale x\nset logscale x2\nset xrange " + range + "\nset x2range " + range +
          "\nset xtics nomirror (" + xtics_bits + ")\nset format x '%.0f'\n";
    if (!x2tics.empty()) gp += "set x2tics rotate by 90 left font ',9' (" + x2tics + ")\n";
    gp += "set xlabel " +
          gp_quote(to_string(cells.front()->bits_measure) + " bits per sample (log scale" +
                   (x2tics.empty() ? std::string(")") : "; top: " + x_label + ")")) +
          "\nset ylabel " + y_label + "\nset autoscale y\n";
    gp += model_lines(bits_file, "3:4" + std::string(several_seeds ? ":5" : ""), all_lines);
    gp += "unset logscale x\nunset logscale x2\nunset x2tics\nset format x\n";
  }

  // Per series: mean val_acc per epoch, one line per level, coloured from low to high level.
  gp +=
      "\nset palette defined (0 '#3b0f70', 0.35 '#2c7fb8', 0.7 '#41ab5d', 1 '#e6550d')\n"
      "unset colorbox\n";
  for (const auto& model : series) {
    const std::string name_part =
        file_part(model.name) + (several_codecs ? "." + file_part(model.codec) : "");
    const std::string png_part =
        file_part(model.name) + (several_codecs ? "-" + file_part(model.codec) : "");
    const std::string shown = model.name + (several_codecs ? " (" + model.codec + ")" : "");
    const std::string epochs_file = stem + "." + name_part + ".epochs.dat";
    std::string epochs = "# " + dataset + " / " + shown +
                         ": one block per level; epoch, mean val_acc over seeds (%)\n";
    std::string plot_line = "plot ";
    int blocks = 0;
    for (std::size_t i = 0; i < model.cells.size(); ++i) {
      const Cell* c = model.cells[i];
      if (c->mean_val_acc.empty()) continue;
      epochs += (blocks ? "\n\n" : "") + std::string("# ") + c->level.to_string() + "\n";
      for (std::size_t e = 0; e < c->mean_val_acc.size(); ++e) {
        epochs += std::to_string(e + 1) + " " + number(c->mean_val_acc[e] * 100) + "\n";
      }
      const double frac = model.cells.size() > 1
                              ? static_cast<double>(i) / static_cast<double>(model.cells.size() - 1)
                              : 0.0;
      plot_line += (blocks ? ", \\\n     " : "") + gp_quote(epochs_file) + " index " +
                   std::to_string(blocks) + " using 1:2 with lines lw 2 lc palette frac " +
                   number(frac) + " title " +
                   gp_quote(level_label(kind, c->level) +
                            (c->runs > 1 ? " (" + std::to_string(c->runs) + " seeds)" : ""));
      ++blocks;
    }
    if (blocks == 0) continue;  // no history.csv for this series
    core::write_file_atomic(dir / epochs_file, epochs);
    add(stem + "-" + png_part + "-val-acc-by-epoch.png",
        dataset + " / " + shown + ": validation accuracy per epoch, by " +
            axis_label(model.cells));
    gp +=
        "set xtics nomirror auto\nset autoscale x\nset xlabel 'epoch'\n"
        "set ylabel 'validation accuracy (%)'\nset autoscale y\n";
    gp += plot_line + "\n";
  }
  gp += "\nunset output\n";
  core::write_file_atomic(plot.script, gp);
  return plot;
}

// Closes a popen'd pipe on every path.
class Pipe {
 public:
  explicit Pipe(const std::string& command) : pipe_(popen(command.c_str(), "r")) {}
  ~Pipe() {
    if (pipe_) pclose(pipe_);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  FILE* get() const { return pipe_; }
  int close() {  // the wait status
    const int status = pclose(pipe_);
    pipe_ = nullptr;
    return status;
  }

 private:
  FILE* pipe_;
};

}  // namespace

std::vector<PlotScript> write_plot_files(const std::vector<Cell>& cells, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw core::RunError("cannot create '" + dir.string() + "': " + ec.message());
  std::vector<std::string> datasets;
  for (const auto& c : cells) {
    if (std::find(datasets.begin(), datasets.end(), c.dataset) == datasets.end()) {
      datasets.push_back(c.dataset);
    }
  }
  std::vector<PlotScript> scripts;
  for (const auto& dataset : datasets) {
    std::vector<const Cell*> mine;
    for (const auto& c : cells) {
      if (c.dataset == dataset) mine.push_back(&c);
    }
    scripts.push_back(write_dataset(dataset, mine, dir));
  }
  return scripts;
}

std::vector<PlotScript> write_cross_eval_plots(const std::vector<CrossCell>& cells,
                                               const fs::path& dir) {
  std::vector<PlotScript> scripts;
  if (cells.empty()) return scripts;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw core::RunError("cannot create '" + dir.string() + "': " + ec.message());
  for (const auto& m : cross_matrices(cells)) {
    const CrossCell& first = *m.cells.front();
    const auto& trains = m.trains;
    const auto& tests = m.tests;
    const auto index = [](const std::vector<Level>& v, const Level& l) {
      return static_cast<double>(std::find(v.begin(), v.end(), l) - v.begin());
    };
    // Trained through another codec than the test data's: both in the name.
    const bool other_train = first.train_codec != first.codec;
    const std::string stem = file_part(first.dataset) + "-" + file_part(first.model) + "-" +
                             (other_train ? file_part(first.train_codec) + "-" : std::string()) +
                             file_part(first.codec) + "-cross-eval";
    std::string data = "# test_index train_index accuracy_pct runs\n";
    for (const CrossCell* c : m.cells) {
      if (!c->accuracy.mean) continue;
      data += number(index(tests, c->test)) + " " + number(index(trains, c->train)) + " " +
              number(*c->accuracy.mean * 100.0) + " " + std::to_string(c->runs) + "\n";
    }
    core::write_file_atomic(dir / (stem + ".dat"), data);
    const auto tics = [&](const std::vector<Level>& levels) {
      std::string out;
      for (std::size_t n = 0; n < levels.size(); ++n) {
        out += (n ? ", " : "") + gp_quote(level_label(first.level_kind, levels[n], true)) + " " +
               std::to_string(n);
      }
      return out;
    };
    const auto kind_of = [&](const std::string& codec) {
      const std::string name = codec_display_name(codec);
      return first.level_kind == "quality" ? name + " quality" : name + ", kbit/s";
    };
    const std::string kind = kind_of(first.codec);
    const std::string train_kind = kind_of(first.train_codec);
    PlotScript plot;
    plot.dataset = first.dataset;
    plot.script = dir / (stem + ".gp");
    const std::string title = first.dataset + " / " + first.model +
                              (other_train ? " (trained through " + first.train_codec +
                                                 ", tested through " + first.codec + ")"
                                           : std::string()) +
                              ": accuracy, trained at one level, tested at another";
    plot.images.push_back({stem + ".png", title});
    std::string gp =
        "# " + title + " (helmholtz report)\n"
        "set terminal pngcairo size 900,720 noenhanced font 'sans,11'\n"
        "set output " + gp_quote(stem + ".png") + "\nset title " + gp_quote(title) + "\n"
        "set xlabel " + gp_quote("tested at (" + kind + ")") + "\nset ylabel " +
        gp_quote("trained at (" + train_kind + ")") + "\nset xtics (" + tics(tests) +
        ")\nset ytics (" + tics(trains) + ")\nset xrange [-0.5:" +
        number(static_cast<double>(tests.size()) - 0.5) + "]\nset yrange [-0.5:" +
        number(static_cast<double>(trains.size()) - 0.5) + "]\n"
        "set cblabel 'test accuracy of the kept weights (%)'\n"
        "set palette defined (0 '#d73027', 0.5 '#fee08b', 1 '#1a9850')\nunset key\n"
        "set style fill solid 1.0 noborder\n";
    // The diagonal (trained and tested at the same level): outlined.
    int object = 1;
    for (const auto& t : trains) {
      if (std::find(tests.begin(), tests.end(), t) == tests.end()) continue;
      const double x = index(tests, t), y = index(trains, t);
      gp += "set object " + std::to_string(object++) + " rect from " + number(x - 0.5) + "," +
            number(y - 0.5) + " to " + number(x + 0.5) + "," + number(y + 0.5) +
            " front fillstyle empty border lc rgb 'black' lw 3\n";
    }
    gp += "plot " + gp_quote(stem + ".dat") +
          " using 1:2:(0.5):(0.5):3 with boxxyerror fillcolor palette, \\\n     '' using "
          "1:2:(sprintf('%.1f', $3)) with labels font 'sans,10'\n";
    core::write_file_atomic(plot.script, gp);
    scripts.push_back(plot);
  }
  return scripts;
}

std::optional<fs::path> find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::string paths = path;
  std::size_t start = 0;
  while (start <= paths.size()) {
    const std::size_t end = std::min(paths.find(':', start), paths.size());
    const std::string folder = paths.substr(start, end - start);
    const fs::path candidate = fs::path(folder.empty() ? "." : folder) / program;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string run_gnuplot(const fs::path& gnuplot, const fs::path& script) {
  const std::string folder = script.parent_path().empty() ? "." : script.parent_path().string();
  const std::string command = "cd " + shell_quote(folder) + " && " + shell_quote(gnuplot.string()) +
                              " " + shell_quote(script.filename().string()) + " 2>&1 </dev/null";
  std::fflush(nullptr);
  Pipe pipe(command);
  if (pipe.get() == nullptr) return "cannot start gnuplot for '" + script.string() + "'";
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe.get())) output += buffer.data();
  const int status = pipe.close();
  if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  std::string why = status == -1 ? "could not be waited for"
                    : WIFEXITED(status)
                        ? "exited with status " + std::to_string(WEXITSTATUS(status))
                        : "was killed by signal " + std::to_string(WTERMSIG(status));
  return "gnuplot " + why + " on '" + script.string() + "'" + (output.empty() ? "" : ": " + output);
}

}  // namespace helmholtz::report
