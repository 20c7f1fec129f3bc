#pragma once
// The payload of an Ogg stream (Opus, Vorbis): the bytes of its audio packets, without the Ogg
// page headers and segment tables and without the codec's header packets. No torch.

#include <cstddef>
#include <cstdint>

namespace helmholtz::codec {

// Sum of the packet bytes of a single-stream Ogg file after its first `header_packets` packets
// (Opus: 2, OpusHead and OpusTags; Vorbis: 3). Walks the pages with libogg, which checks each
// page's capture pattern, version and CRC; any byte that is not part of an intact page is
// damage (libogg alone would skip it and resynchronise). Throws core::CodecError naming the
// offset when the bytes are not Ogg, a page is damaged or missing, the stream has no
// end-of-stream page, or a second logical stream appears.
std::size_t ogg_payload_bytes(const std::uint8_t* data, std::size_t size, int header_packets);

}  // namespace helmholtz::codec
