package runfiles

// SweepManifest is a sweep's run.json: the run's Manifest (of strength 0,
// the model's own pipeline) and what makes a sweep, so that its outputs say
// what produced them.
type SweepManifest struct {
	Manifest
	// Family is the variant family swept at Strengths, each strength's
	// chain spelt out in Specs ("" at 0), its random draws seeded by Seed.
	Family    string    `json:"family"`
	Strengths []float64 `json:"strengths"`
	Specs     []string  `json:"variant_specs"`
	Seed      uint64    `json:"seed"`
	// ErrorType, Correction, Resamples and BootstrapSeed configured the
	// statistics (eval/sweep.Options).
	ErrorType     string `json:"error_type"`
	Correction    string `json:"correction"`
	Resamples     int    `json:"bootstrap_resamples"`
	BootstrapSeed uint64 `json:"bootstrap_seed"`
	// ImagesDir and Annotations are the folders read.
	ImagesDir   string `json:"images_dir"`
	Annotations string `json:"annotations"`
	// NumImages, Failed, ElapsedSeconds and ImagesPerSecond describe the
	// run.
	NumImages       int     `json:"num_images"`
	Failed          int     `json:"failed"`
	ElapsedSeconds  float64 `json:"elapsed_seconds"`
	ImagesPerSecond float64 `json:"images_per_second"`
}
