// The two themes on the offscreen platform: input fields keep a visible edge on the dark palette
// (Fusion draws it in the window colour darkened, which there is the field's own colour).

#include "theme/Theme.h"

#include <QApplication>
#include <QComboBox>
#include <QImage>
#include <QLineEdit>
#include <QSpinBox>
#include <QTest>
#include <QVBoxLayout>

#include <algorithm>
#include <cstdlib>

using namespace strikeline::ui;

namespace {

// How far apart two colours are: the largest channel difference.
int distance(QColor a, QColor b)
{
    return std::max({std::abs(a.red() - b.red()), std::abs(a.green() - b.green()),
                     std::abs(a.blue() - b.blue())});
}

// The strongest edge at the middle of the left side of `widget`, against the window colour
// outside and the field's base colour inside.
int edgeContrast(QWidget &widget)
{
    const QImage image = widget.grab().toImage();
    const QColor window = widget.palette().color(QPalette::Window);
    const QColor base = widget.palette().color(QPalette::Base);
    int best = 0;
    const int y = image.height() / 2;
    for (int x = 0; x < 3; ++x) {
        const QColor pixel = image.pixelColor(x, y);
        best = std::max(best, std::min(distance(pixel, window), distance(pixel, base)));
    }
    return best;
}

} // namespace

class tst_Theme : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void inputFieldsHaveVisibleEdges_data();
    void inputFieldsHaveVisibleEdges();
};

void tst_Theme::inputFieldsHaveVisibleEdges_data()
{
    QTest::addColumn<Theme>("theme");
    QTest::newRow("light") << Theme::Light;
    QTest::newRow("dark") << Theme::Dark;
}

void tst_Theme::inputFieldsHaveVisibleEdges()
{
    QFETCH(Theme, theme);
    applyTheme(*qApp, theme);
    QWidget window;
    auto *layout = new QVBoxLayout(&window);
    auto *line = new QLineEdit;
    auto *spin = new QSpinBox;
    auto *combo = new QComboBox;
    combo->setEditable(true);
    layout->addWidget(line);
    layout->addWidget(spin);
    layout->addWidget(combo);
    window.resize(300, 150);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(themeOf(line->palette()), theme);
    for (QWidget *field : std::initializer_list<QWidget *>{line, spin, combo}) {
        const int contrast = edgeContrast(*field);
        QVERIFY2(contrast >= 40,
                 qPrintable(QStringLiteral("%1: edge contrast %2")
                                .arg(QLatin1String(field->metaObject()->className()))
                                .arg(contrast)));
    }
}

QTEST_MAIN(tst_Theme)
#include "tst_theme.moc"
