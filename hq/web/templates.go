package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/oman-sca/safeer/hq"
)

// Pages and the layout each is drawn in.
var pageLayouts = map[string]string{
	"verify":       "public",
	"message":      "public",
	"login":        "console",
	"consolemsg":   "console",
	"overview":     "console",
	"devices":      "console",
	"roster":       "console",
	"duplicates":   "console",
	"merge":        "console",
	"conflicts":    "console",
	"certificates": "console",
	"credentials":  "console",
	"activity":     "console",
	"places":       "console",
	"audit":        "console",
	"syncfiles":    "console",
}

var funcs = template.FuncMap{
	"dateEn":  dateEn,
	"dateAr":  dateAr,
	"hours":   hoursText,
	"when":    when,
	"whenPtr": whenPtr,
	"join":    strings.Join,
	"f1":      func(f float64) string { return fmt.Sprintf("%.1f", f) },
	"px":      func(f float64) string { return fmt.Sprintf("%.1f", f) },
	"add":     func(a, b int) int { return a + b },
	"isoTime": func(s string) string {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return when(t)
		}
		return s
	},
	"devName": func(d hq.DeviceInfo) string { return d.Name },
	"has": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
}

func (s *Site) parseTemplates() error {
	s.pages = map[string]*template.Template{}
	for page, layout := range pageLayouts {
		t, err := template.New(page).Funcs(funcs).ParseFS(templateFiles,
			"templates/"+layout+".html", "templates/"+page+".html")
		if err != nil {
			return fmt.Errorf("web: template %s: %w", page, err)
		}
		s.pages[page] = t
	}
	return nil
}
