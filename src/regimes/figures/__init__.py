"""One function per figure of the catalogue (docs/science.md sec. 4); each takes tables only and writes
``<name>.pdf`` and ``.png``.  Modules by model family: ``diagonal``, ``linearisation``, ``matrix``,
``nonlinear``; ``style`` is their shared look.

``CATALOGUE``: each figure and the experiments it draws (by name), with the family each must be.  A
figure is drawn when every experiment it names is in the config; experiments under other names run,
are summarised and checked against their claims, and stay out of the figures.  ``ALSO``: experiments a
figure draws beside those when the config has them (the ConvNet rows of the K axis; the paper tier's
CIFAR-10 rows, config/paper.yaml; the centred students of the teacher; theorem 4 beside width; the
other layer balances and points of fig. 7).
"""

# In the papers' order: Woodworth et al. secs. 3-4, 6, 7; then Goldwaser & Ge; then the joint plane.
CATALOGUE = {
    "sparse_transition": {"sparse": "diagonal"},
    "implicit_norm": {"sparse": "diagonal"},
    "q_functions": {"sparse": "diagonal"},  # needs no table: drawn with the diagonal section
    "sample_complexity": {"sparse": "diagonal"},  # and sparse.sample_complexity
    "width": {"width": "matrix"},
    "matrix_factorisation": {"matrix_factorisation": "matrix"},
    "nonlinear_transition": {
        "nonlinear": "network",
        "nonlinear_teacher": "teacher",
        "univariate": "univariate",
    },
    "univariate_balance": {"univariate": "univariate"},
    "accuracy_vs_K": {"linearised": "network"},
    "kernel_change": {"linearised": "network"},
    "training_curves": {"linearised": "network"},
    "gauss_newton": {"gauss_newton": "gauss_newton"},
    "phase_alpha_K": {"sparse_K": "diagonal", "linearised_phase": "network"},
}

ALSO = {
    "accuracy_vs_K": {"linearised_cnn": "network", "linearised_cifar": "network"},
    "kernel_change": {"linearised_cnn": "network", "linearised_cifar": "network"},
    "training_curves": {"linearised_cnn": "network", "linearised_cifar": "network"},
    "nonlinear_transition": {"nonlinear_cifar": "network", "nonlinear_teacher_centred": "teacher"},
    "width": {"width_commuting": "matrix"},
    "univariate_balance": {
        "univariate_quarter": "univariate",
        "univariate_half": "univariate",
        "univariate_random": "univariate",
    },
}
