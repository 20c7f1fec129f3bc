#include "helmholtz/codec/ogg.hpp"

#include <ogg/ogg.h>

#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "helmholtz/core/error.hpp"

namespace helmholtz::codec {
namespace {

// Owns an ogg_sync_state: libogg's page framer (capture pattern, header, CRC).
class SyncState {
 public:
  SyncState() { ogg_sync_init(&state_); }
  ~SyncState() { ogg_sync_clear(&state_); }
  SyncState(const SyncState&) = delete;
  SyncState& operator=(const SyncState&) = delete;
  ogg_sync_state* get() { return &state_; }

 private:
  ogg_sync_state state_{};
};

// Owns an ogg_stream_state: libogg's packet reassembly of one logical stream.
class StreamState {
 public:
  explicit StreamState(int serial) {
    if (ogg_stream_init(&state_, serial) != 0) {
      throw core::CodecError("libogg: cannot set up a stream state (out of memory?)");
    }
  }
  ~StreamState() { ogg_stream_clear(&state_); }
  StreamState(const StreamState&) = delete;
  StreamState& operator=(const StreamState&) = delete;
  ogg_stream_state* get() { return &state_; }

 private:
  ogg_stream_state state_{};
};

core::CodecError bad(std::size_t at, const std::string& what) {
  return core::CodecError("not a valid Ogg stream: " + what + " at byte " + std::to_string(at));
}

}  // namespace

std::size_t ogg_payload_bytes(const std::uint8_t* data, std::size_t size, int header_packets) {
  if (header_packets < 0) {
    throw core::UsageError("ogg_payload_bytes: header_packets " + std::to_string(header_packets) +
                           " < 0");
  }
  if (size == 0) throw bad(0, "no bytes");
  if (size > static_cast<std::size_t>(std::numeric_limits<long>::max())) {
    throw core::CodecError("ogg_payload_bytes: " + std::to_string(size) + " bytes is too large");
  }
  SyncState sync;
  char* buffer = ogg_sync_buffer(sync.get(), static_cast<long>(size));
  if (buffer == nullptr) throw core::CodecError("libogg: cannot buffer the stream (no memory?)");
  std::memcpy(buffer, data, size);
  ogg_sync_wrote(sync.get(), static_cast<long>(size));

  // ogg_sync_pageseek returns a page's length once its capture pattern, header and CRC check
  // out, or minus the bytes it skipped looking for one. libogg would resynchronise silently after
  // a damaged page (its CRC fails, so it skips to the next "OggS"); any skipped byte is damage.
  std::size_t offset = 0;
  std::size_t packets = 0;
  std::size_t payload = 0;
  bool ended = false;
  std::unique_ptr<StreamState> stream;
  int serial = 0;
  ogg_page page;
  while (offset < size) {
    const long got = ogg_sync_pageseek(sync.get(), &page);
    if (got < 0) {
      throw bad(offset, std::to_string(-got) + " bytes that are no intact Ogg page (a damaged " +
                            "page fails its CRC check)");
    }
    if (got == 0)
      throw bad(offset, "a page cut short (" + std::to_string(size - offset) + " bytes left)");
    const std::size_t at = offset;
    offset += static_cast<std::size_t>(got);
    if (ended) throw bad(at, "a page after the end-of-stream page (a chained stream)");
    if (!stream) {
      if (!ogg_page_bos(&page)) throw bad(at, "a first page without the beginning-of-stream flag");
      serial = ogg_page_serialno(&page);
      stream = std::make_unique<StreamState>(serial);
    } else if (ogg_page_serialno(&page) != serial) {
      throw bad(at, "a second logical stream (serial " + std::to_string(ogg_page_serialno(&page)) +
                        "; only single-stream files are read)");
    }
    // pagein refuses a page of another serial or an unknown version (not 0).
    if (ogg_stream_pagein(stream->get(), &page) != 0) throw bad(at, "a page libogg refuses");
    ended = ogg_page_eos(&page) != 0;
    ogg_packet packet;
    while (true) {
      const int out = ogg_stream_packetout(stream->get(), &packet);
      if (out == 0) break;
      // -1: a gap in the page sequence numbers, so a page (and its packets) is missing.
      if (out < 0) throw bad(at, "a missing page (the page sequence has a gap)");
      if (packets >= static_cast<std::size_t>(header_packets)) {
        payload += static_cast<std::size_t>(packet.bytes);
      }
      ++packets;
    }
  }
  if (!ended) throw bad(size, "no end-of-stream page (the stream is cut short)");
  if (packets < static_cast<std::size_t>(header_packets)) {
    throw bad(size, std::to_string(packets) + " packets where the codec's " +
                        std::to_string(header_packets) + " header packets are expected");
  }
  return payload;
}

}  // namespace helmholtz::codec
