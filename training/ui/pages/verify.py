from training.ui.verify import render

render()
