#pragma once
// An offline stand-in for IDMT-SMT-Audio-Effects: 2-second plucked-string notes (Karplus-Strong)
// rendered through one of the dataset's 12 guitar effects, with random settings per note. Lets
// anyone run the audio study without the download (the real set is CC BY-NC-ND and is never
// redistributed), and gives the tests a small audio set. No torch inside.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace helmholtz::data {

// The 12 class names in sorted order (the folder names of the real dataset): Chorus, Distortion,
// EQ, FeedbackDelay, Flanger, NoFX, Overdrive, Phaser, Reverb, SlapbackDelay, Tremolo, Vibrato.
const std::vector<std::string>& audio_effect_classes();

// One mono note of round(sample_rate * seconds) samples, peak normalised to 0.8, through effect
// `effect_index` (an index into audio_effect_classes()). Deterministic for a seed; the dry note
// depends on the seed only, so the same seed through NoFX gives the unprocessed note. Throws
// core::UsageError for an effect index out of range or a non-positive rate or length.
std::vector<float> synth_note(int effect_index, std::uint64_t seed, int sample_rate = 44100,
                              double seconds = 2.0);

// Writes per_class notes per class in the Panotti layout
// out/Samples/<Class>/<Class>_<nnnn>.wav (nnnn = 0000, 0001, ...), 44.1 kHz 16-bit mono, 2 s.
// Each clip's seed derives from (seed, class, index), so the files are the same for any thread
// count (0 = all hardware threads). Throws core::UsageError for per_class < 1 and
// core::RunError when a folder or file cannot be written.
void write_audio_effects(const std::filesystem::path& out, int per_class, std::uint64_t seed,
                         int threads = 0);

}  // namespace helmholtz::data
