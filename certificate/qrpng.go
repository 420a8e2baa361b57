package certificate

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"

	"github.com/oman-sca/safeer/certificate/internal/qrcode"
)

// grayPNG writes QR codes as 1-bit greyscale PNGs by hand, reusing one
// compressor. image/png would write a palette image, and fpdf spends a
// fresh 1 MB zlib writer compressing each image's 6-byte palette; a 1-bit
// grey image has none, and repeated pixel rows cost nothing with the "Up"
// filter.
type grayPNG struct {
	out, z bytes.Buffer
	zw     *zlib.Writer
	line   []byte
}

func (p *grayPNG) encode(code *qrcode.Code, k int) []byte {
	w := code.Size * k
	stride := (w + 7) / 8
	if cap(p.line) < stride+1 {
		p.line = make([]byte, stride+1)
	}
	line := p.line[:stride+1]
	p.z.Reset()
	if p.zw == nil {
		p.zw, _ = zlib.NewWriterLevel(&p.z, zlib.BestCompression) // level is valid: no error
	} else {
		p.zw.Reset(&p.z)
	}
	up := make([]byte, stride+1) // filter 2 (Up) and no change
	up[0] = 2
	for my := range code.Size {
		clear(line)
		for px := range w {
			if !code.Dark(px/k, my) { // 1 is white in greyscale
				line[1+px/8] |= 0x80 >> (px % 8)
			}
		}
		p.zw.Write(line) // bytes.Buffer writes do not fail
		for range k - 1 {
			p.zw.Write(up)
		}
	}
	p.zw.Close()

	p.out.Reset()
	p.out.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(w))
	ihdr[8] = 1 // bit depth; colour type 0 (grey), deflate, no filter set, no interlace
	p.chunk("IHDR", ihdr[:])
	p.chunk("IDAT", p.z.Bytes())
	p.chunk("IEND", nil)
	return bytes.Clone(p.out.Bytes())
}

func (p *grayPNG) chunk(kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	p.out.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	p.out.WriteString(kind)
	p.out.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	p.out.Write(n[:])
}
