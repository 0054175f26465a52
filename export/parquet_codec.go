// Parquet codecs: importing package export replaces, for the whole process,
// the zstd, snappy, gzip and brotli codecs in the registry of arrow's
// parquet/compress package (the registry is process-wide, so this happens
// once, at package initialisation). The zstd codec keeps one encoder per
// compression level, where arrow v17 makes a new one, with its buffers, for
// every page. Every decoder stops at the size that the page header declares
// (the page reader passes a buffer of that size, which the reader's memory
// limit bounds), where arrow's would decompress whatever the data holds
// when the header declares nothing, and snappy would allocate what the
// compressed data claims. Files are unchanged: anything that reads arrow's
// Parquet reads ours.
package export

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

func init() {
	// Registration writes a plain map that GetCodec reads: it must happen
	// before any goroutine reads or writes Parquet, which init guarantees.
	if c, err := compress.GetCodec(compress.Codecs.Zstd); err == nil {
		compress.RegisterCodec(compress.Codecs.Zstd, newZstdCodec(c))
	}
	if c, err := compress.GetCodec(compress.Codecs.Snappy); err == nil {
		compress.RegisterCodec(compress.Codecs.Snappy, snappyCodec{c})
	}
	for _, codec := range []compress.Compression{compress.Codecs.Gzip, compress.Codecs.Brotli} {
		if c, err := compress.GetCodec(codec); err == nil {
			compress.RegisterCodec(codec, boundedCodec{c})
		}
	}
}

// zstdWindow is the encoders' window.
const zstdWindow = 2 * parquetPageSize

// zstdCodec is arrow's zstd codec with reused encoders and a bounded
// decoder; the streaming reader and writer are arrow's.
type zstdCodec struct {
	compress.Codec
	encoders sync.Map // compression level -> *zstd.Encoder
	dec      *zstd.Decoder
}

func newZstdCodec(arrows compress.Codec) *zstdCodec {
	return &zstdCodec{Codec: arrows, dec: cappedZstdDecoder()}
}

// cappedZstdDecoder is the one zstd decoder of the package's readers (the
// Parquet page codec and the Arrow batch loader). Its DecodeAll, safe for
// concurrent use, decodes at most cap(dst) bytes: each caller passes a
// buffer of the size that the page or buffer declares.
var cappedZstdDecoder = sync.OnceValue(func() *zstd.Decoder {
	d, err := zstd.NewReader(nil, zstd.WithDecodeAllCapLimit(true))
	if err != nil {
		panic(err) // only for invalid options
	}
	return d
})

// encoder returns the encoder for level, made once. EncodeAll is safe for
// concurrent use.
func (c *zstdCodec) encoder(level int) *zstd.Encoder {
	if e, ok := c.encoders.Load(level); ok {
		return e.(*zstd.Encoder)
	}
	zl := zstd.SpeedDefault
	if level != compress.DefaultCompressionLevel {
		zl = zstd.EncoderLevelFromZstd(level)
	}
	// A page is compressed on its own, in one call, and the writer's pages
	// are about parquetPageSize: a longer window finds little more and
	// costs its history buffer (twice the window) in each encoder. The
	// frame checksum is redundant with Parquet's own page structure, and
	// readers do not need it.
	e, err := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(zl),
		zstd.WithWindowSize(zstdWindow), zstd.WithEncoderCRC(false))
	if err != nil {
		panic(err) // only for invalid options
	}
	actual, _ := c.encoders.LoadOrStore(level, e)
	return actual.(*zstd.Encoder)
}

func (c *zstdCodec) Encode(dst, src []byte) []byte {
	return c.encoder(compress.DefaultCompressionLevel).EncodeAll(src, dst[:0])
}

func (c *zstdCodec) EncodeLevel(dst, src []byte, level int) []byte {
	return c.encoder(level).EncodeAll(src, dst[:0])
}

// Decode decodes src into dst, and no more than len(dst) bytes; like
// arrow's, it panics on corrupt data (the page reader's callers recover).
func (c *zstdCodec) Decode(dst, src []byte) []byte {
	out, err := c.dec.DecodeAll(src, dst[:0:len(dst)])
	if err != nil {
		panic(fmt.Errorf("%w: zstd page: %w", ErrCorrupt, err))
	}
	return out
}

// snappyCodec is arrow's snappy codec, but refuses a block whose header
// claims more bytes than dst holds before snappy allocates them (up to 4
// GiB for a few bytes of input).
type snappyCodec struct{ compress.Codec }

func (c snappyCodec) Decode(dst, src []byte) []byte {
	if n, k := binary.Uvarint(src); k <= 0 || n > uint64(len(dst)) {
		panic(fmt.Errorf("%w: snappy page claims %d bytes where the page header declares %d", ErrCorrupt, n, len(dst)))
	}
	return c.Codec.Decode(dst, src)
}

// boundedCodec is arrow's gzip or brotli codec, whose decoder reads no more
// than len(dst) bytes, but all the stream holds when dst is empty: it
// returns nothing then, which is what the page header declared.
type boundedCodec struct{ compress.Codec }

func (c boundedCodec) Decode(dst, src []byte) []byte {
	if len(dst) == 0 {
		return dst[:0]
	}
	return c.Codec.Decode(dst, src)
}
