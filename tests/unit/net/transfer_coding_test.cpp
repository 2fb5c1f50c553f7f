// read_transfer_coding: only "chunked", alone and last, frames a request body; a non-final or
// repeated chunked is a framing error (400) and any other coding is one the server lacks (501).
#include "net/transfer_coding.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace osprey::net {
namespace {

TEST(TransferCodingTest, ChunkedInAnyCaseAndWhitespaceIsChunked) {
  for (const std::string list : {"chunked", "CHUNKED", "Chunked", " \tchunked\t ", ", chunked",
                                 "chunked ,", " , ,chunked"}) {
    EXPECT_EQ(read_transfer_coding(list), TransferCoding::kChunked) << list;
  }
}

TEST(TransferCodingTest, ChunkedNotLastIsBadFraming) {
  for (const std::string list :
       {"", " ", ",", "gzip", "xchunked", "chunkedx", "chunked, gzip", "chunked;q=1", "identity",
        "chunked, chunked", "gzip, CHUNKED,chunked", "chun ked, chunked"}) {
    EXPECT_EQ(read_transfer_coding(list), TransferCoding::kBadFraming) << list;
  }
}

TEST(TransferCodingTest, AnotherCodingBeforeChunkedIsUnsupported) {
  for (const std::string list : {"gzip, chunked", "GZIP,chunked", "deflate , gzip ,chunked",
                                 "x-custom;level=9, chunked", "identity, chunked"}) {
    EXPECT_EQ(read_transfer_coding(list), TransferCoding::kUnsupported) << list;
  }
}

}  // namespace
}  // namespace osprey::net
