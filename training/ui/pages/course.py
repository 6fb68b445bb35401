from training.ui.training_page import render

render()
