package sqldb

// Encryption at rest of voucher files and backups: AES-256-GCM over chunks of 64 KiB, so that a
// file is encrypted as it streams in and read back from any offset (a voucher is served with
// ranges, an OFD package is opened as a zip) without holding it in memory.
//
// A sealed file is the magic "QQE1", an 8-byte random nonce prefix, then the chunks: each is
// the ciphertext and tag of up to 64 KiB of plaintext, under the nonce prefix followed by the
// chunk's number (big-endian, 32 bits), with one byte of additional data saying whether it is
// the last chunk. The last chunk holds less than 64 KiB (possibly nothing), so its size gives
// the plaintext's, and a file cut short, reordered or grown fails to open rather than read
// differently.

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const (
	sealMagic  = "QQE1"
	sealPrefix = 8
	sealHeader = len(sealMagic) + sealPrefix
	sealChunk  = 64 << 10
	sealTag    = 16
)

// KeySize is the size of a data key: AES-256.
const KeySize = 32

// ReadKeyFile reads a data key from a file: 32 bytes written as 64 hexadecimal digits (openssl
// rand -hex 32) or in base64, or the 32 bytes themselves.
func ReadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) == KeySize {
		return b, nil
	}
	s := strings.TrimSpace(string(b))
	if k, err := hex.DecodeString(s); err == nil && len(k) == KeySize {
		return k, nil
	}
	if k, err := base64.StdEncoding.DecodeString(s); err == nil && len(k) == KeySize {
		return k, nil
	}
	return nil, fmt.Errorf("%s: a data key is 32 bytes, as 64 hexadecimal digits (openssl rand -hex 32)", path)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("a data key is %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Sealed reports whether the first bytes of a file are those of a sealed file. No voucher type
// (PDF, JPEG, PNG, OFD) starts so, so a plaintext voucher stored before encryption was turned on
// is told apart and read as it is.
func Sealed(head []byte) bool { return bytes.HasPrefix(head, []byte(sealMagic)) }

// sealWriter encrypts what is written to it into w, chunk by chunk.
type sealWriter struct {
	w      io.Writer
	aead   cipher.AEAD
	prefix [sealPrefix]byte
	n      uint32
	buf    []byte
	out    []byte
	err    error
}

// NewSealWriter returns a writer that encrypts into w; Close writes the last chunk (it does not
// close w).
func NewSealWriter(w io.Writer, key []byte) (io.WriteCloser, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	s := &sealWriter{w: w, aead: aead, buf: make([]byte, 0, sealChunk)}
	if _, err := rand.Read(s.prefix[:]); err != nil {
		return nil, err
	}
	if _, err := w.Write(append([]byte(sealMagic), s.prefix[:]...)); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *sealWriter) nonce(i uint32) []byte {
	n := make([]byte, 12)
	copy(n, s.prefix[:])
	binary.BigEndian.PutUint32(n[sealPrefix:], i)
	return n
}

func (s *sealWriter) flush(last bool) error {
	if s.n == ^uint32(0) {
		return errors.New("sealed file too large")
	}
	ad := []byte{0}
	if last {
		ad[0] = 1
	}
	s.out = s.aead.Seal(s.out[:0], s.nonce(s.n), s.buf, ad)
	s.n++
	s.buf = s.buf[:0]
	_, err := s.w.Write(s.out)
	return err
}

func (s *sealWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n := 0
	for len(p) > 0 {
		k := copy(s.buf[len(s.buf):sealChunk], p)
		s.buf = s.buf[:len(s.buf)+k]
		p, n = p[k:], n+k
		if len(s.buf) == sealChunk {
			if s.err = s.flush(false); s.err != nil {
				return n, s.err
			}
		}
	}
	return n, nil
}

func (s *sealWriter) Close() error {
	if s.err != nil {
		return s.err
	}
	s.err = s.flush(true)
	if s.err == nil {
		s.err = errors.New("sealed file closed")
		return nil
	}
	return s.err
}

// sealedFile reads a sealed file as its plaintext: Read, Seek and ReadAt.
type sealedFile struct {
	f      *os.File
	aead   cipher.AEAD
	prefix []byte
	full   int64 // the number of full chunks; the last one follows them
	size   int64 // of the plaintext
	pos    int64
	// the last chunk decrypted
	cur   int64
	plain []byte
}

// OpenSealed opens a sealed file for reading with the key it was sealed with.
func OpenSealed(path string, key []byte) (io.ReadSeekCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	s, err := openSealed(f, key)
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func openSealed(f *os.File, key []byte) (*sealedFile, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	head := make([]byte, sealHeader)
	if _, err := f.ReadAt(head, 0); err != nil || !Sealed(head) {
		return nil, fmt.Errorf("%s is not a sealed file", f.Name())
	}
	body := st.Size() - int64(sealHeader)
	if body < sealTag {
		return nil, fmt.Errorf("%s is cut short", f.Name())
	}
	s := &sealedFile{f: f, aead: aead, prefix: head[len(sealMagic):], cur: -1}
	s.full = (body - sealTag) / (sealChunk + sealTag)
	s.size = s.full*sealChunk + body - sealTag - s.full*(sealChunk+sealTag)
	// The last chunk proves the file whole; reading it now refuses a file cut at a chunk's end.
	if _, err := s.chunk(s.full); err != nil {
		return nil, err
	}
	return s, nil
}

// chunk returns the plaintext of chunk i.
func (s *sealedFile) chunk(i int64) ([]byte, error) {
	if i == s.cur {
		return s.plain, nil
	}
	n := int64(sealChunk + sealTag)
	if i == s.full {
		n = s.size - s.full*sealChunk + sealTag
	}
	ct := make([]byte, n)
	if _, err := s.f.ReadAt(ct, int64(sealHeader)+i*(sealChunk+sealTag)); err != nil {
		return nil, fmt.Errorf("read chunk %d of %s: %w", i, s.f.Name(), err)
	}
	nonce := make([]byte, 12)
	copy(nonce, s.prefix)
	binary.BigEndian.PutUint32(nonce[sealPrefix:], uint32(i))
	ad := []byte{0}
	if i == s.full {
		ad[0] = 1
	}
	plain, err := s.aead.Open(s.plain[:0], nonce, ct, ad)
	if err != nil {
		s.cur = -1
		return nil, fmt.Errorf("chunk %d of %s does not decrypt (wrong key, or the file was changed): %w", i, s.f.Name(), err)
	}
	s.cur, s.plain = i, plain
	return plain, nil
}

func (s *sealedFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	n := 0
	for len(p) > 0 {
		if off >= s.size {
			return n, io.EOF
		}
		c, err := s.chunk(off / sealChunk)
		if err != nil {
			return n, err
		}
		k := copy(p, c[off%sealChunk:])
		p, off, n = p[k:], off+int64(k), n+k
	}
	return n, nil
}

func (s *sealedFile) Read(p []byte) (int, error) {
	n, err := s.ReadAt(p, s.pos)
	s.pos += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

func (s *sealedFile) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += s.pos
	case io.SeekEnd:
		offset += s.size
	default:
		return 0, errors.New("bad whence")
	}
	if offset < 0 {
		return 0, errors.New("negative position")
	}
	s.pos = offset
	return offset, nil
}

func (s *sealedFile) Close() error { return s.f.Close() }

// openVoucherFile opens a stored file as its plaintext: sealed or, stored before encryption was
// turned on, as it is.
func openVoucherFile(path string, key []byte) (io.ReadSeekCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, len(sealMagic))
	n, _ := f.ReadAt(head, 0)
	if !Sealed(head[:n]) {
		return f, nil
	}
	if key == nil {
		f.Close()
		return nil, fmt.Errorf("%s is encrypted and no data key is configured", path)
	}
	s, err := openSealed(f, key)
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// SealFile encrypts the file in into out (a backup, say), through a temporary file renamed
// when done.
func SealFile(in, out string, key []byte) error {
	src, err := os.Open(in)
	if err != nil {
		return err
	}
	defer src.Close()
	return writeThrough(out, func(w io.Writer) error {
		sw, err := NewSealWriter(w, key)
		if err != nil {
			return err
		}
		if _, err := io.Copy(sw, src); err != nil {
			return err
		}
		return sw.Close()
	})
}

// UnsealFile decrypts the sealed file in into out.
func UnsealFile(in, out string, key []byte) error {
	src, err := OpenSealed(in, key)
	if err != nil {
		return err
	}
	defer src.Close()
	return writeThrough(out, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
}

// writeThrough writes a file through a temporary file beside it, renamed into place once
// complete and synced.
func writeThrough(path string, fn func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".qingqian-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fn(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// SealVouchers encrypts in place, with db.VoucherKey, the voucher files stored in clear, and
// returns how many it encrypted. Each is replaced by rename once encrypted, so a reader sees
// either file whole; the hash that names it stays the plaintext's.
func (db *DB) SealVouchers() (int, error) {
	if db.VoucherKey == nil {
		return 0, errors.New("no data key is configured")
	}
	n := 0
	err := filepath.WalkDir(db.VoucherDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == db.VoucherDir {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() || !validSHA(d.Name()) {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		head := make([]byte, len(sealMagic))
		k, _ := f.ReadAt(head, 0)
		f.Close()
		if Sealed(head[:k]) {
			return nil
		}
		if err := SealFile(path, path, db.VoucherKey); err != nil {
			return fmt.Errorf("encrypt %s: %w", path, err)
		}
		n++
		return nil
	})
	return n, err
}
