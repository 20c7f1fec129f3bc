#pragma once
// The coded cache's file format (coded_folder.hpp describes the layout): a level's folder name,
// the header naming everything that decides its coded files, the manifest of a finished pass (a
// checked file, one tab-separated record a line) and the progress journal of an interrupted one
// ("# " and the header, then one record a line with its own checksum). For coded_folder.cpp.
// No torch.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "helmholtz/data/coded_folder.hpp"
#include "helmholtz/data/image_folder.hpp"

namespace helmholtz::data::coded_manifest {

// The level's folder name: quality_50, webp_40, quality_raw; JPEG at 4:4:4 adds "-444".
std::string level_name(const CodedFolderRequest& r);

// The manifest's and journal's header: everything that decides the coded files.
std::string header_text(const ImageFolder& folder, const std::string& split,
                        const CodedFolderRequest& r, std::size_t files);

// The manifest's records when its header is `header`; nullopt when it was made for other
// inputs. Throws core::DataError for a damaged file.
std::optional<std::vector<CodedFile>> read_manifest(const std::filesystem::path& file,
                                                    const std::string& header);

// Writes the manifest (atomically, a checked file under `header`): one record a line.
void write_manifest(const std::filesystem::path& file, const std::string& header,
                    const std::vector<CodedFile>& files);

// The journal's records when its first line is this header (else none). A line whose own
// checksum does not match (a write cut short) is skipped: its file is coded again.
std::vector<CodedFile> read_journal(const std::filesystem::path& file, const std::string& header);

// One record as a journal line: its fields, a tab, their checksum, a line break.
std::string journal_line(const CodedFile& f);

}  // namespace helmholtz::data::coded_manifest
