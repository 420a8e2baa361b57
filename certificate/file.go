package certificate

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/oman-sca/safeer/internal/privfile"
)

// maxName bounds a file name in bytes, below the 255 that file systems
// allow, so a long workshop title still makes a file.
const maxName = 200

// FileName is the one rule for naming a PDF of certificates, so that a
// coordinator finds it in a folder and every system accepts it: the parts
// that are not blank, joined by " - ", with what Windows refuses in a name
// (<>:"/\|?* and control characters) made '-', no space or dot at the end,
// at most maxName bytes, then ".pdf". With no parts it is
// "certificates.pdf".
func FileName(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	name := strings.Map(func(r rune) rune {
		if r < 32 || r == 0x7f || strings.ContainsRune(`<>:"/\|?*`, r) {
			return '-'
		}
		return r
	}, strings.Join(kept, " - "))
	if len(name) > maxName {
		cut := maxName
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut]
	}
	name = strings.TrimRight(name, ". ")
	if name == "" {
		name = "certificates"
	}
	return name + ".pdf"
}

// FileName names one person's certificate: their name in Arabic and in
// English and the code as printed (XXXXX-XXXXX).
func (c Certificate) FileName() string {
	return FileName(c.PersonNameAr, c.PersonNameEn, FormatCode(c.Code))
}

// WriteFile renders certs to the PDF at path. It renders next to path and
// renames, so a failed render never leaves half a PDF under the name a
// coordinator will print; the file is readable by its owner only (0600),
// and a folder made for it is 0700: certificates name people.
func WriteFile(ctx context.Context, path string, tmpl Template, certs ...SignedCertificate) error {
	if err := privfile.MkdirAll(filepath.Dir(path)); err != nil {
		return fmt.Errorf("make the certificates folder: %w", err)
	}
	var renderErr error
	err := privfile.Write(path, func(w io.Writer) error {
		renderErr = Render(ctx, w, tmpl, certs...)
		return renderErr
	})
	if renderErr != nil {
		return renderErr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WriteEach writes each certificate to its own PDF in dir, named by its
// FileName (a reprint, or a workshop split one file a person), as WriteFile
// does, and returns the paths in the order of certs.
func WriteEach(ctx context.Context, dir string, tmpl Template, certs ...SignedCertificate) ([]string, error) {
	paths := make([]string, 0, len(certs))
	for _, c := range certs {
		path := filepath.Join(dir, c.FileName())
		if err := WriteFile(ctx, path, tmpl, c); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}
